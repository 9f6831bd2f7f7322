"""feedback: an index for its lists, which page newest first

Revision ID: 5d2e8b1c7f40
Revises: c41f7d2e9a05
Create Date: 2026-12-06 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d2e8b1c7f40'
down_revision = 'c41f7d2e9a05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_created_at_id', ['created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_created_at_id')
