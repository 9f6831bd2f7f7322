"""sign-in sessions are found by their age: the hourly clean-up deletes those past every lifetime

Revision ID: c8c35588b58e
Revises: ee8cf47ca85a
Create Date: 2026-12-07 07:25:25.941934

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c8c35588b58e'
down_revision = 'ee8cf47ca85a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_user_sessions_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_user_sessions_created_at')
