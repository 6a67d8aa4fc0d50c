"""What the overview app gives the reports framework (imported by ``ReportsConfig.ready``):
the yearly basic situation, listed on the reports page after the tables, and the latest year
with data, where the reports' forms start."""

from django.utils.translation import gettext_lazy as _

from reports.forms import YearForm
from reports.registry import Writing, register_data_year, register_writing

from . import yearly_report
from .basic_situation import IDENTIFIER
from .dashboard import latest_data_year
from .forms import YearlyReportForm

register_data_year(latest_data_year)

register_writing(
    Writing(
        identifier=IDENTIFIER,
        verbose_name=_("Basic situation (yearly report section)"),
        url_name="overview:basic-situation",
        form_class=YearForm,
        formats=(("html", _("View")), ("docx", _("Word (.docx)"))),
    )
)

register_writing(
    Writing(
        identifier=yearly_report.IDENTIFIER,
        verbose_name=_("Yearly report on community building"),
        url_name="overview:yearly-report",
        form_class=YearlyReportForm,
        formats=(("html", _("View")), ("docx", _("Word (.docx)"))),
    )
)
