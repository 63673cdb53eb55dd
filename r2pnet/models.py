"""Every model of every feature, in dependency order: read by migrations and tests only."""
from r2pnet.api.models import ApiToken
from r2pnet.accounts.models import Invitation, PasswordReset, ThrottleEvent
from r2pnet.audit.models import AuditEvent
from r2pnet.deliberations.models import (Attendance, Cadence, Deliberation, DeliberationAction,
                                         DeliberationLesson, DeliberationThread, WeeklyQuestion)
from r2pnet.digests.models import DigestDelivery, DigestSettings
from r2pnet.discussions.models import (Mention, Post, PostRevision, SpaceFollow, Thread,
                                       ThreadFollow, ThreadLesson, ThreadRead, ThreadTerm)
from r2pnet.knowledge.models import (Lesson, LessonApplication, LessonAttachment, LessonRevision,
                                     LessonTerm, LessonUseful)
from r2pnet.mail import OutboundMail
from r2pnet.members.models import Member, MemberExpertise, MemberLanguage, ModeratorRegion, Region
from r2pnet.moderation.models import Flag

MODELS = [Region, Member, MemberLanguage, MemberExpertise, ModeratorRegion, AuditEvent,
          Invitation, PasswordReset, ThrottleEvent, OutboundMail, Lesson, LessonTerm,
          LessonRevision, LessonAttachment, LessonApplication, LessonUseful,
          Thread, Post, PostRevision, ThreadTerm, ThreadLesson, ThreadFollow, SpaceFollow,
          ThreadRead, Mention, Flag, Deliberation, DeliberationAction, DeliberationThread,
          DeliberationLesson, Attendance, Cadence, WeeklyQuestion, DigestSettings,
          DigestDelivery, ApiToken]
