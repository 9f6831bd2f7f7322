"""audit events: an index by record (entity, entity_id, at), for one record's history and its latest event

Revision ID: 9b3f6a1d2c84
Revises: 5d2e8b1c7f40
Create Date: 2026-12-06 18:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9b3f6a1d2c84'
down_revision = '5d2e8b1c7f40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_entity_entity_id_at', ['entity', 'entity_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_entity_entity_id_at')
