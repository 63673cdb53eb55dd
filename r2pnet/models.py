"""Every model of every feature, in dependency order: read by migrations and tests only."""
from r2pnet.accounts.models import Invitation, PasswordReset, ThrottleEvent
from r2pnet.audit.models import AuditEvent
from r2pnet.knowledge.models import (Lesson, LessonApplication, LessonAttachment, LessonRevision,
                                     LessonTerm, LessonUseful)
from r2pnet.mail import OutboundMail
from r2pnet.members.models import Member, MemberExpertise, MemberLanguage, ModeratorRegion, Region

MODELS = [Region, Member, MemberLanguage, MemberExpertise, ModeratorRegion, AuditEvent,
          Invitation, PasswordReset, ThrottleEvent, OutboundMail, Lesson, LessonTerm,
          LessonRevision, LessonAttachment, LessonApplication, LessonUseful]
