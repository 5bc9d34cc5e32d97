"""The analytics page (figures and SVG charts for a date range) and its CSV export."""

from __future__ import annotations

import csv
import io

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.admin import charts
from bot.admin.analytics import Period, Report
from bot.admin.auth import requires
from bot.admin.web import render
from bot.content import content
from bot.privacy.masking import mask


def intent_label(intent: str) -> str:
    """The fallback's friendly label for an intent (data/content/fallback.yml), else its name."""
    key = f"fallback.suggest_{intent}"
    return f"{content.text(key)} ({intent})" if content.has(key) else intent


def daily_series(report: Report, measure: str) -> dict[str, list[int]]:
    index = {day: i for i, day in enumerate(report.period.days)}
    series = {channel: [0] * len(index) for channel in report.channels}
    for row in report.daily:
        if row["day"] in index:
            series[row["channel"]][index[row["day"]]] = int(row[measure])
    return series


async def _report(request: Request) -> Report:
    params = request.query_params
    period = Period.parse(params.get("date_from", ""), params.get("date_to", ""))
    analytics = request.app.state.analytics
    await run_in_threadpool(analytics.refresh)
    return await run_in_threadpool(analytics.report, period)


def procedure_labels(request: Request, report: Report) -> list[tuple[str, int]]:
    """Top procedures as "code name" (names from the knowledge base, when it has them)."""
    labelled = []
    for code, count in report.procedures:
        procedure, _national = request.app.state.procedures.get(code)
        labelled.append((f"{code} {procedure.name}" if procedure else code, count))
    return labelled


@requires("viewer")
async def analytics_page(request: Request) -> Response:
    report = await _report(request)
    procedures = await run_in_threadpool(procedure_labels, request, report)
    return render(request, "analytics.html", report=report, charts=charts,
                  procedures=procedures,
                  conversations=daily_series(report, "conversations"),
                  messages=daily_series(report, "messages"), intent_label=intent_label,
                  colour=charts.colour)


def _rows(report: Report, part: str) -> tuple[list[str], list[list[object]]]:
    if part == "daily":
        return (["day", "channel", "conversations", "messages"],
                [[r["day"], r["channel"], r["conversations"], r["messages"]]
                 for r in report.daily])
    if part == "shares":
        return ["category", "messages"], [[k, v] for k, v in report.shares.items()]
    if part == "intents":
        return ["intent", "messages"], [list(r) for r in report.intents]
    if part == "procedures":
        return ["procedure_code", "messages"], [list(r) for r in report.procedures]
    if part == "unanswered":
        return (["message", "count", "last_day"],
                [[mask(r["text"]), r["count"], r["last"]] for r in report.unanswered])
    if part == "ratings":
        return (["topic", "useful", "not_useful", "total", "useful_rate"],
                [[r["topic"], r["yes"], r["no"], r["total"], f"{r['rate']:.3f}"]
                 for r in report.ratings])
    if part == "handovers":
        return ["kind", "count"], [[k, v] for k, v in sorted(report.handovers.items())]
    raise HTTPException(404, "Không có bảng số liệu này.")


def _cell(value: object) -> object:
    """Spreadsheets run cells starting with = + - @ as formulas; a citizen's text must not."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@requires("viewer")
async def analytics_csv(request: Request) -> Response:
    part = request.query_params.get("part", "daily")
    report = await _report(request)
    header, rows = _rows(report, part)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    first, last = report.period.bounds
    name = f"thong-ke-{part}-{first}-{last}.csv"
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


routes = [
    Route("/analytics", analytics_page, methods=["GET"]),
    Route("/analytics.csv", analytics_csv, methods=["GET"]),
]
