"""calendar feeds get a change stamp (and when it last changed): their ETag, read with the link itself

Revision ID: c41f7d2e9a05
Revises: b5cbf85bb2e7
Create Date: 2026-12-06 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41f7d2e9a05'
down_revision = 'b5cbf85bb2e7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stamp', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(), nullable=True))
    # Existing links changed now: the feed's text changed with this release (the window of past
    # events), so a client revalidating by If-Modified-Since alone must not be told "not modified".
    # Stored naive, in UTC, as app.core.clock writes them.
    now = "timezone('utc', now())" if op.get_bind().dialect.name == 'postgresql' else 'CURRENT_TIMESTAMP'
    op.execute(f'UPDATE calendar_feeds SET changed_at = {now}')
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.alter_column('changed_at', existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.drop_column('changed_at')
        batch_op.drop_column('stamp')
