"""A report figure as one table of numbers: the chart, the accessible table and the CSV download
are all drawn from the same rows, so they cannot disagree."""

import csv
from dataclasses import dataclass, field

from django.http import HttpResponse

from helpcenter.csv import csv_safe


@dataclass
class Dataset:
    """One series of a chart: the values of one column of the table."""

    label: str
    column: int
    stack: str = ""
    dashed: bool = False


@dataclass
class Figure:
    slug: str
    title: str
    columns: list[str]
    rows: list[list]
    chart_type: str = "bar"  # bar, hbar, line or heat (an HTML table coloured by value)
    datasets: list[Dataset] = field(default_factory=list)
    unit: str = ""
    percent: bool = False
    summary: str = ""
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.rows

    def chart(self) -> dict:
        """What static/js/reports.js draws: labels from the first column, one series a dataset."""
        return {
            "type": self.chart_type,
            "labels": [str(row[0]) for row in self.rows],
            "datasets": [
                {
                    "label": dataset.label,
                    "data": [row[dataset.column] for row in self.rows],
                    "stack": dataset.stack,
                    "dashed": dataset.dashed,
                }
                for dataset in self.datasets
            ],
            "unit": self.unit,
            "percent": self.percent,
            "stacked": any(dataset.stack for dataset in self.datasets),
        }


def csv_response(figure: Figure, *, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(figure.columns)
    for row in figure.rows:
        writer.writerow(
            [
                "" if value is None else csv_safe(value) if isinstance(value, str) else value
                for value in row
            ]
        )
    return response
