"""sales teams in regions, each seller's region and team, and who updates and briefings are for

Revision ID: 5d1f0b7a9c42
Revises: 4b7d2e91c0a6
Create Date: 2026-12-07 10:50:00.000000

Briefings keep their free-text team: a team created or renamed later links the briefings whose
text is exactly its name in its region (app/briefings/listeners.py); no team exists before this
revision, so there is nothing to link here.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1f0b7a9c42'
down_revision = '4b7d2e91c0a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_teams_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_region_id'), ['region_id'], unique=False)

    op.create_table('seller_placements',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('placed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_seller_placements_region_id_regions')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_seller_placements_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_seller_placements_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_seller_placements'))
    )
    with op.batch_alter_table('seller_placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seller_placements_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_placements_team_id'), ['team_id'], unique=False)

    with op.batch_alter_table('product_updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience_region_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('audience_team_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_product_updates_audience_region_id_regions'), 'regions', ['audience_region_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_product_updates_audience_team_id_teams'), 'teams', ['audience_team_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('briefings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_briefings_team_id_teams'), 'teams', ['team_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_briefings_team_id'), ['team_id'], unique=False)


def downgrade():
    with op.batch_alter_table('briefings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_briefings_team_id'))
        batch_op.drop_constraint(batch_op.f('fk_briefings_team_id_teams'), type_='foreignkey')
        batch_op.drop_column('team_id')

    with op.batch_alter_table('product_updates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_product_updates_audience_team_id_teams'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_product_updates_audience_region_id_regions'), type_='foreignkey')
        batch_op.drop_column('audience_team_id')
        batch_op.drop_column('audience_region_id')

    with op.batch_alter_table('seller_placements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seller_placements_team_id'))
        batch_op.drop_index(batch_op.f('ix_seller_placements_region_id'))

    op.drop_table('seller_placements')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_region_id'))

    op.drop_table('teams')
