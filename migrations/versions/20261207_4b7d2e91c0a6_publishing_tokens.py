"""publishing tokens: named, revocable credentials an intranet or a CRM reads the published catalog with

Revision ID: 4b7d2e91c0a6
Revises: c8c35588b58e
Create Date: 2026-12-07 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b7d2e91c0a6'
down_revision = 'c8c35588b58e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publishing_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('selector', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_publishing_tokens_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_publishing_tokens_revoked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publishing_tokens')),
    sa.UniqueConstraint('selector', name=op.f('uq_publishing_tokens_selector'))
    )


def downgrade():
    op.drop_table('publishing_tokens')
