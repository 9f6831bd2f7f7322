"""notifications carry the calendar invitation (iTIP) their email attaches, and the event's UID it is about

Revision ID: a3c7e19d5b42
Revises: 5e4c1a7b9d20
Create Date: 2026-12-07 11:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3c7e19d5b42'
down_revision = '5e4c1a7b9d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_uid', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('calendar_method', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('calendar', sa.Text(), server_default='', nullable=False))
        batch_op.create_index('ix_notifications_calendar_uid', ['calendar_uid'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_calendar_uid')
        batch_op.drop_column('calendar')
        batch_op.drop_column('calendar_method')
        batch_op.drop_column('calendar_uid')
