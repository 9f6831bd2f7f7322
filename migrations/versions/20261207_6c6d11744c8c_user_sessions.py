"""user sessions: each sign-in a row (hashed key and remember token), so that any of them can be ended

Revision ID: 6c6d11744c8c
Revises: 7e4a2c9d1b36
Create Date: 2026-12-07 00:59:05.609325

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6c6d11744c8c'
down_revision = '7e4a2c9d1b36'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('user_agent', sa.String(length=255), nullable=False),
    sa.Column('remembered', sa.Boolean(), nullable=False),
    sa.Column('remember_selector', sa.String(length=16), nullable=True),
    sa.Column('remember_hash', sa.String(length=64), nullable=True),
    sa.Column('remember_previous_hash', sa.String(length=64), nullable=True),
    sa.Column('remember_issued_at', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ended_reason', sa.Enum('signed_out', 'ended', 'password_changed', 'password_reset', 'deactivated', 'role_changed', 'remember_reused', name='endreason', native_enum=False, length=20), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash')),
    sa.UniqueConstraint('remember_selector', name=op.f('uq_user_sessions_remember_selector'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_user_sessions_user_id_ended_at', ['user_id', 'ended_at'], unique=False)



def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_user_sessions_user_id_ended_at')

    op.drop_table('user_sessions')
