"""Painted pieces: role rows with badges, session rows with a bar, the expiry ring."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from core.credentials import format_remaining
from gui import theme
from gui.models import PROFILE, ROLE
from gui.sessions import SessionManager

Index = QModelIndex | QPersistentModelIndex
LEVEL_COLORS = {"ok": "ok", "warning": "warning", "critical": "critical", "expired": "muted"}


def badges_for(role: Any) -> list[str]:
    badges = []
    if role.mfa_serial:
        badges.append("MFA")
    if role.external_id:
        badges.append("Ext ID")
    if role.chained:
        badges.append("Chained")
    if role.problems:
        badges.append("Invalid")
    return badges


class RoleDelegate(QStyledItemDelegate):
    """Role rows: name and badges, then profile · region, and the session's time left."""

    def __init__(self, sessions: SessionManager, parent: Any = None) -> None:
        super().__init__(parent)
        self.sessions = sessions
        self.busy: set[str] = set()
        self.errors: dict[str, str] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        return QSize(option.rect.width(), 50 if index.data(ROLE) is not None else 30)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        role = index.data(ROLE)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(4, 2, -6, -2)
        font = QFont(option.font)
        if role is None:
            font.setPointSizeF(font.pointSizeF() * 0.85)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(theme.color("muted"))
            painter.drawText(
                rect.adjusted(4, 0, 0, 0),
                Qt.AlignmentFlag.AlignVCenter,
                "ACCOUNT " + str(index.data(Qt.ItemDataRole.DisplayRole)),
            )
            painter.restore()
            return
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color("selection"))
            painter.drawRoundedRect(rect, 8, 8)
        profile = role.name
        x = rect.left() + 10
        if profile in self.sessions.sessions:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color(LEVEL_COLORS[self.sessions.level(profile)]))
            painter.drawEllipse(QRectF(rect.left() + 6, rect.top() + 12, 8, 8))
            x += 10
        # Right side: time left, "Assuming…" or a failure mark.
        small = QFont(option.font)
        small.setPointSizeF(option.font.pointSizeF() * 0.88)
        status, status_color = "", "muted"
        live = profile in self.sessions.sessions and self.sessions.level(profile) != "expired"
        if profile in self.busy:
            status = "Assuming…"
        elif profile in self.errors and not live:  # a failed renewal: the session goes on
            status, status_color = "Failed", "critical"
        elif profile in self.sessions.sessions:
            level = self.sessions.level(profile)
            status = (
                "expired"
                if level == "expired"
                else format_remaining(self.sessions.remaining(profile))
            )
            status_color = LEVEL_COLORS[level]
        painter.setFont(small)
        status_width = QFontMetrics(small).horizontalAdvance(status) + 8 if status else 0
        if status:
            painter.setPen(theme.color(status_color))
            painter.drawText(
                QRect(rect.right() - status_width, rect.top() + 4, status_width - 4, 20),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                status,
            )
        # Badges, right-aligned before the status.
        badge_font = QFont(option.font)
        badge_font.setPointSizeF(option.font.pointSizeF() * 0.72)
        badge_font.setBold(True)
        metrics = QFontMetrics(badge_font)
        right = rect.right() - status_width - 4
        painter.setFont(badge_font)
        for badge in reversed(badges_for(role)):
            width = metrics.horizontalAdvance(badge) + 10
            box = QRectF(right - width, rect.top() + 6, width, 16)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color("criticalBg" if badge == "Invalid" else "badge"))
            painter.drawRoundedRect(box, 8, 8)
            painter.setPen(theme.color("critical" if badge == "Invalid" else "muted"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, badge)
            right -= width + 4
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(theme.color("text"))
        name_rect = QRect(x, rect.top() + 4, max(right - x - 4, 10), 20)
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(bold).elidedText(
                role.role_name, Qt.TextElideMode.ElideRight, name_rect.width()
            ),
        )
        painter.setFont(small)
        painter.setPen(theme.color("muted"))
        detail = " · ".join(p for p in (profile, role.region or "no region") if p)
        detail_rect = QRect(x, rect.top() + 25, rect.right() - x - 4, 18)
        painter.drawText(
            detail_rect,
            Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(small).elidedText(
                detail, Qt.TextElideMode.ElideRight, detail_rect.width()
            ),
        )
        painter.restore()


class SessionDelegate(QStyledItemDelegate):
    """Session rows: profile and time left over a thin bar of the fraction left."""

    def __init__(self, sessions: SessionManager, parent: Any = None) -> None:
        super().__init__(parent)
        self.sessions = sessions

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        return QSize(1, 40)  # the list gives each row its full width; never wider

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        profile = index.data(PROFILE)
        level = self.sessions.level(profile)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(4, 2, -6, -2)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color("selection"))
            painter.drawRoundedRect(rect, 8, 8)
        inner = rect.adjusted(10, 4, -10, -8)
        painter.setPen(theme.color("text"))
        painter.setFont(option.font)
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, profile)
        time_text = (
            "expired" if level == "expired" else format_remaining(self.sessions.remaining(profile))
        )
        painter.setPen(theme.color(LEVEL_COLORS[level]))
        painter.drawText(inner, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, time_text)
        bar = QRectF(inner.left(), inner.bottom() - 1, inner.width(), 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color("badge"))
        painter.drawRoundedRect(bar, 2, 2)
        filled = QRectF(
            bar.left(), bar.top(), bar.width() * self.sessions.fraction_left(profile), 4
        )
        painter.setBrush(theme.color(LEVEL_COLORS[level]))
        painter.drawRoundedRect(filled, 2, 2)
        painter.restore()


class ExpiryRing(QWidget):
    """A ring showing the fraction of the session left, coloured by how close expiry is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fraction = 0.0
        self.level = "ok"
        self.setFixedSize(56, 56)
        self.setAccessibleName("Fraction of the session left")

    def set_state(self, fraction: float, level: str) -> None:
        self.fraction, self.level = fraction, level
        self.setAccessibleDescription(f"{round(fraction * 100)} percent left")
        self.update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(5, 5, self.width() - 10, self.height() - 10)
        pen = QPen(theme.color("badge"), 6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawEllipse(box)
        if self.fraction > 0:
            pen.setColor(theme.color(LEVEL_COLORS[self.level]))
            painter.setPen(pen)
            painter.drawArc(box, 90 * 16, -int(360 * 16 * self.fraction))
        painter.end()
