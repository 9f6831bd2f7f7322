"""CRM imports: a run per uploaded file (the file, its mapping, its state and counts) and the errors its preview found

Revision ID: 0332df69ec83
Revises: 746876a50367
Create Date: 2026-12-07 10:33:29.103709

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0332df69ec83'
down_revision = '746876a50367'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('encoding', sa.String(length=16), nullable=False),
    sa.Column('delimiter', sa.String(length=2), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('date_format', sa.String(length=8), nullable=False),
    sa.Column('decimal_mark', sa.String(length=1), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('error_rows', sa.Integer(), nullable=False),
    sa.Column('skipped_rows', sa.Integer(), nullable=False),
    sa.Column('customers_created', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('uploaded', 'mapped', 'previewed', 'importing', 'done', 'failed')", name=op.f('ck_import_runs_state')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_runs_created_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_import_runs_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_runs'))
    )
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_runs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_runs_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_import_runs_project_id_created_at', ['project_id', 'created_at'], unique=False)

    op.create_table('import_row_errors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('column', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['import_runs.id'], name=op.f('fk_import_row_errors_run_id_import_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_row_errors'))
    )
    with op.batch_alter_table('import_row_errors', schema=None) as batch_op:
        batch_op.create_index('ix_import_row_errors_run_id_row', ['run_id', 'row', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('import_row_errors', schema=None) as batch_op:
        batch_op.drop_index('ix_import_row_errors_run_id_row')

    op.drop_table('import_row_errors')
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_import_runs_project_id_created_at')
        batch_op.drop_index(batch_op.f('ix_import_runs_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_import_runs_created_at'))

    op.drop_table('import_runs')
