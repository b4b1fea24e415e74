"""Painted pieces: role rows with badges, session rows with a bar, the expiry ring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from core.credentials import format_remaining
from gui import theme
from gui.models import BUSY, ERROR, PROFILE, ROLE

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

    from core.profiles import RoleProfile
    from gui.sessions import SessionManager

Index = QModelIndex | QPersistentModelIndex
LEVEL_COLORS = {"ok": "ok", "warning": "warning", "critical": "critical", "expired": "muted"}

SESSION_ROW = 40  # the height of a row of the active sessions


def badges_for(role: RoleProfile) -> list[str]:
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


def selected(option: QStyleOptionViewItem, index: Index) -> bool:
    """Whether the row being painted is selected, asked of its view: `option.state` would make
    PySide6 build QStyle's enums (~5 ms) in the first frame's paint, which needs no other."""
    view = option.widget
    return isinstance(view, QAbstractItemView) and view.selectionModel().isSelected(index)


class _RowFonts:
    """A role row's fonts, from the view's own."""

    def __init__(self, base: QFont) -> None:
        self.base = QFont(base)
        size = base.pointSizeF()
        self.small = QFont(base)
        self.small.setPointSizeF(size * 0.88)
        self.bold = QFont(base)
        self.bold.setBold(True)
        self.badge = QFont(base)
        self.badge.setPointSizeF(size * 0.72)
        self.badge.setBold(True)
        self.account = QFont(base)
        self.account.setPointSizeF(size * 0.85)
        self.account.setBold(True)
        self.small_metrics = QFontMetrics(self.small)
        self.bold_metrics = QFontMetrics(self.bold)
        self.badge_metrics = QFontMetrics(self.badge)


class RoleDelegate(QStyledItemDelegate):
    """Role rows: name and badges, then profile · region, and the session's time left (or the
    model's busy and failure marks)."""

    def __init__(self, sessions: SessionManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sessions = sessions
        self._fonts: _RowFonts | None = None

    def fonts(self, base: QFont) -> _RowFonts:
        """The row's fonts and their metrics, made again only when the view's font changes (a
        row paints in a fraction of the time when it does not build four fonts and metrics)."""
        if self._fonts is None or self._fonts.base != base:
            self._fonts = _RowFonts(base)
        return self._fonts

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        return QSize(option.rect.width(), 50 if index.data(ROLE) is not None else 30)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        role = index.data(ROLE)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(4, 2, -6, -2)
        if role is None:
            self._paint_account(painter, option, rect, index)
            painter.restore()
            return
        if selected(option, index):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color("selection"))
            painter.drawRoundedRect(rect, 8, 8)
        x = rect.left() + 10
        if role.name in self.sessions.sessions:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color(LEVEL_COLORS[self.sessions.level(role.name)]))
            painter.drawEllipse(QRectF(rect.left() + 6, rect.top() + 12, 8, 8))
            x += 10
        fonts = self.fonts(option.font)
        status, status_color = self._status(role.name, index)
        painter.setFont(fonts.small)
        status_width = fonts.small_metrics.horizontalAdvance(status) + 8 if status else 0
        if status:
            painter.setPen(theme.color(status_color))
            painter.drawText(
                QRect(rect.right() - status_width, rect.top() + 4, status_width - 4, 20),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                status,
            )
        right = self._paint_badges(painter, fonts, role, rect.right() - status_width - 4, rect)
        self._paint_names(
            painter, fonts, role, QRect(x, rect.top(), right - x, rect.height()), rect.right()
        )
        painter.restore()

    def _paint_account(
        self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, index: Index
    ) -> None:
        painter.setFont(self.fonts(option.font).account)
        painter.setPen(theme.color("muted"))
        painter.drawText(
            rect.adjusted(4, 0, 0, 0),
            Qt.AlignmentFlag.AlignVCenter,
            "ACCOUNT " + str(index.data(Qt.ItemDataRole.DisplayRole)),
        )

    def _status(self, profile: str, index: Index) -> tuple[str, str]:
        """The right side: time left, "Assuming…" or a failure mark, and its colour."""
        live = profile in self.sessions.sessions and self.sessions.level(profile) != "expired"
        if index.data(BUSY):
            return "Assuming…", "muted"
        if index.data(ERROR) and not live:  # a failed renewal: the session goes on
            return "Failed", "critical"
        if profile in self.sessions.sessions:
            level = self.sessions.level(profile)
            if level == "expired":
                return "expired", LEVEL_COLORS[level]
            return format_remaining(self.sessions.remaining(profile)), LEVEL_COLORS[level]
        return "", "muted"

    def _paint_badges(
        self,
        painter: QPainter,
        fonts: _RowFonts,
        role: RoleProfile,
        right: int,
        rect: QRect,
    ) -> int:
        """Badges right-aligned before the status; returns where the leftmost one starts."""
        badges = badges_for(role)
        if not badges:
            return right
        metrics = fonts.badge_metrics
        painter.setFont(fonts.badge)
        for badge in reversed(badges):
            width = metrics.horizontalAdvance(badge) + 10
            box = QRectF(right - width, rect.top() + 6, width, 16)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color("criticalBg" if badge == "Invalid" else "badge"))
            painter.drawRoundedRect(box, 8, 8)
            painter.setPen(theme.color("critical" if badge == "Invalid" else "muted"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, badge)
            right -= width + 4
        return right

    def _paint_names(
        self, painter: QPainter, fonts: _RowFonts, role: RoleProfile, area: QRect, right: int
    ) -> None:
        """The role's name in bold (up to the badges), then profile · region below it (up to
        `right`, the row's end)."""
        x, top = area.left(), area.top()
        painter.setFont(fonts.bold)
        painter.setPen(theme.color("text"))
        name_rect = QRect(x, top + 4, max(area.width() - 4, 10), 20)
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignVCenter,
            fonts.bold_metrics.elidedText(
                role.role_name, Qt.TextElideMode.ElideRight, name_rect.width()
            ),
        )
        painter.setFont(fonts.small)
        painter.setPen(theme.color("muted"))
        detail = f"{role.name} · {role.region or 'no region'}"
        detail_rect = QRect(x, top + 25, right - x - 4, 18)
        painter.drawText(
            detail_rect,
            Qt.AlignmentFlag.AlignVCenter,
            fonts.small_metrics.elidedText(
                detail, Qt.TextElideMode.ElideRight, detail_rect.width()
            ),
        )


class SessionDelegate(QStyledItemDelegate):
    """Session rows: profile and time left over a thin bar of the fraction left."""

    def __init__(self, sessions: SessionManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sessions = sessions

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        return QSize(1, SESSION_ROW)  # the list gives each row its full width; never wider

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        profile = index.data(PROFILE)
        level = self.sessions.level(profile)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(4, 2, -6, -2)
        if selected(option, index):
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

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
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
