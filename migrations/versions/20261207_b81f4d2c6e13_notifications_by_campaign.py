"""an index of notifications by campaign: the invitations a cancelled campaign still holds

Revision ID: b81f4d2c6e13
Revises: a7c3e51d9b24
Create Date: 2026-12-07 14:40:00.000000
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b81f4d2c6e13'
down_revision = 'a7c3e51d9b24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_project_id_calendar_uid', ['project_id', 'calendar_uid'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_project_id_calendar_uid')
