"""throttles: failed attempts per key (email, client address) and their lockouts

Revision ID: 7e4a2c9d1b36
Revises: 9b3f6a1d2c84
Create Date: 2026-12-07 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e4a2c9d1b36'
down_revision = '9b3f6a1d2c84'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=254), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=True),
    sa.Column('lockouts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttles')),
    sa.UniqueConstraint('scope', 'key', name=op.f('uq_throttles_scope'))
    )
    with op.batch_alter_table('throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttles_seen_at'), ['seen_at'], unique=False)


def downgrade():
    with op.batch_alter_table('throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttles_seen_at'))

    op.drop_table('throttles')
