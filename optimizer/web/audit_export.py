"""The audit log as a workbook (审计日志). Every cell is written as text: a name or reason
starting with = + - @ stays text in Excel and WPS, never a formula."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import BinaryIO

import xlsxwriter

from ..i18n import _
from .models import AuditEntry
from .words import ACTIONS, local_time


def audit_workbook(entries: Iterable[AuditEntry], out: BinaryIO) -> None:
    wb = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    ws = wb.add_worksheet(_("Audit log"))
    bold = wb.add_format({"bold": True})
    headers = [
        _("No."),
        _("Time"),
        _("Account"),
        _("Address"),
        _("Action"),
        _("Workspace"),
        _("Target"),
        _("Details"),
        _("Reason"),
    ]
    ws.write_row(0, 0, headers, bold)
    for i, e in enumerate(entries, start=1):
        ws.write_number(i, 0, e.id)
        for col, value in enumerate(
            [
                local_time(e.at),
                e.username,
                e.address,
                _(ACTIONS[e.action]) if e.action in ACTIONS else e.action,
                "" if e.workspace_id is None else str(e.workspace_id),
                e.target,
                json.dumps(e.detail, ensure_ascii=False) if e.detail else "",
                e.reason,
            ],
            start=1,
        ):
            ws.write_string(i, col, value)
    ws.set_column(1, 1, 17)
    ws.set_column(4, 4, 18)
    ws.set_column(7, 8, 50)
    ws.freeze_panes(1, 0)
    wb.close()
