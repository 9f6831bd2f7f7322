"""reminders outbox and notification preferences

Revision ID: 8c06f096a52f
Revises: 34a8a7e3f4ab
Create Date: 2026-11-23 17:19:43.182056

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c06f096a52f'
down_revision = '34a8a7e3f4ab'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_runs'))
    )
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('reminder_hour', sa.Integer(), nullable=False),
    sa.Column('quiet_start', sa.Integer(), nullable=False),
    sa.Column('quiet_end', sa.Integer(), nullable=False),
    sa.Column('lead_days', sa.String(length=60), nullable=False),
    sa.Column('on_the_day', sa.Boolean(), nullable=False),
    sa.Column('overdue_every', sa.Integer(), nullable=False),
    sa.Column('reminders_email', sa.Boolean(), nullable=False),
    sa.Column('reminders_in_app', sa.Boolean(), nullable=False),
    sa.Column('updates_email', sa.Boolean(), nullable=False),
    sa.Column('updates_in_app', sa.Boolean(), nullable=False),
    sa.Column('email_digest', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_preferences'))
    )
    op.create_table('project_mutes',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_mutes_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_project_mutes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'project_id', name=op.f('pk_project_mutes'))
    )
    with op.batch_alter_table('project_mutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_mutes_project_id'), ['project_id'], unique=False)

    op.create_table('reminder_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=24), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('cursor', sa.DateTime(), nullable=False),
    sa.Column('next_at', sa.DateTime(), nullable=True),
    sa.Column('last_sent_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('(task_id IS NULL) OR (milestone_id IS NOT NULL)', name=op.f('ck_reminder_schedules_task_has_milestone')),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_reminder_schedules_milestone_id_milestones'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_reminder_schedules_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminder_schedules_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_schedules')),
    sa.UniqueConstraint('user_id', 'item_key', name='uq_reminder_schedules_user_id_item_key')
    )
    with op.batch_alter_table('reminder_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_schedules_milestone_id'), ['milestone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_schedules_next_at'), ['next_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_schedules_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_schedules_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('in_app', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('email_status', sa.String(length=10), server_default='none', nullable=False))
        batch_op.add_column(sa.Column('email_digest', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('email_due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_enqueued_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_claimed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('email_error', sa.Text(), server_default='', nullable=False))
        batch_op.create_index('ix_notifications_email_status_email_due_at', ['email_status', 'email_due_at'], unique=False)
        batch_op.create_unique_constraint('uq_notifications_user_id_dedupe_key', ['user_id', 'dedupe_key'])
        batch_op.create_foreign_key(batch_op.f('fk_notifications_project_id_projects'), 'projects', ['project_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint('email_status', "email_status IN ('none', 'pending', 'sending', 'sent', 'failed')")



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_email_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_notifications_project_id_projects'), type_='foreignkey')
        batch_op.drop_constraint('uq_notifications_user_id_dedupe_key', type_='unique')
        batch_op.drop_index('ix_notifications_email_status_email_due_at')
        batch_op.drop_column('email_error')
        batch_op.drop_column('email_attempts')
        batch_op.drop_column('email_sent_at')
        batch_op.drop_column('email_claimed_at')
        batch_op.drop_column('email_enqueued_at')
        batch_op.drop_column('email_due_at')
        batch_op.drop_column('email_digest')
        batch_op.drop_column('email_status')
        batch_op.drop_column('dedupe_key')
        batch_op.drop_column('in_app')
        batch_op.drop_column('project_id')

    with op.batch_alter_table('reminder_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_schedules_user_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_schedules_task_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_schedules_next_at'))
        batch_op.drop_index(batch_op.f('ix_reminder_schedules_milestone_id'))

    op.drop_table('reminder_schedules')
    with op.batch_alter_table('project_mutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_mutes_project_id'))

    op.drop_table('project_mutes')
    op.drop_table('notification_preferences')
    op.drop_table('job_runs')
