"""What staff use: accounts and logins, the unanswered inbox, reports, all built once by
:class:`Staff` over the running services. The top of services: it may use the dialogue, the
content and the platform; nothing in services imports it.
"""

from services.staff.analytics import AnalyticsService
from services.staff.analytics_figures import DateRange, Figures
from services.staff.auth import AuthService, Login, UserView
from services.staff.desk import Staff
from services.staff.inbox import Group, InboxService
from services.staff.reports import ReportService

__all__ = ["AnalyticsService", "AuthService", "DateRange", "Figures", "Group", "InboxService",
           "Login", "ReportService", "Staff", "UserView"]
