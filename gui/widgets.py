"""Painted pieces: role rows with badges, session rows with a bar, the expiry ring.

The rows are painted without PySide6's `Qt` namespace: the first frame paints them, and the
first touch of that namespace makes all its 93 enums (12-30 ms, in Python). QPainter's setPen,
setBrush and fillRect touch it (their overloads take its enums), and so do elidedText and
alignment flags; so the rows fill shapes with brushes a palette made (`_Brushes`) and draw
text as laid-out lines in a colour (`_Texts`). tests/gui/test_launcher.py checks it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPalette,
    QTextCharFormat,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from core.clock import format_remaining
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


ELLIPSIS = "\u2026"


def elided(text: str, metrics: QFontMetrics, width: int) -> str:
    """`text` cut at the end to fit `width`, with an ellipsis (as Qt's ElideRight)."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with the ellipsis: in [low, high)
    while low < high:
        middle = (low + high + 1) // 2
        if metrics.horizontalAdvance(text[:middle].rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS if low else ""


class _Brushes:
    """A brush per theme colour: a palette's, since QBrush(QColor) goes through the overloads
    that take the Qt namespace's enums."""

    def __init__(self) -> None:
        self._brushes: dict[str, QBrush] = {}
        self._palette = QPalette()

    def __call__(self, name: str) -> QBrush:
        return self.of(theme.current[name])

    def of(self, value: str) -> QBrush:
        """The brush of a colour (#rrggbb)."""
        brush = self._brushes.get(value)
        if brush is None:
            self._palette.setColor(QPalette.ColorRole.Window, QColor(value))
            brush = self._brushes[value] = self._palette.brush(QPalette.ColorRole.Window)
        return brush


BRUSHES = _Brushes()


def fill(painter: QPainter, rect: QRectF, radius: float, name: str) -> None:
    """A rounded rectangle (an ellipse when `radius` is half its height) in a theme colour."""
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    painter.fillPath(path, BRUSHES(name))


class _Texts:
    """Single lines of text in a colour, laid out once and drawn again as the row repaints (the
    time left changes each second, the rest stays)."""

    LIMIT = 2000  # lines kept; more and all are laid out again

    def __init__(self) -> None:
        self._lines: dict[tuple[str, str, str], tuple[QTextLayout, float, float]] = {}

    def draw(
        self,
        painter: QPainter,
        text: str,
        font: QFont,
        rect: QRect | QRectF,
        color: str,
        align: str = "left",
        top: bool = False,
    ) -> None:
        """`text` in `rect`: at its left, right or center (`align`), vertically centred or at
        its `top`; in the theme colour `color`."""
        value = theme.current[color]
        key = (text, font.key(), value)
        line = self._lines.get(key)
        if line is None:
            if len(self._lines) >= self.LIMIT:
                self._lines.clear()
            line = self._lines[key] = self._layout(text, font, value, painter)
        layout, width, height = line
        x = rect.left()
        if align == "right":
            x = rect.left() + rect.width() - width
        elif align == "center":
            x = rect.left() + (rect.width() - width) / 2
        y = rect.top() if top else rect.top() + (rect.height() - height) / 2
        layout.draw(painter, QPointF(x, y))

    @staticmethod
    def _layout(
        text: str, font: QFont, value: str, painter: QPainter
    ) -> tuple[QTextLayout, float, float]:
        layout = QTextLayout(text, font, painter.device())  # in the device's metrics
        look = QTextCharFormat()
        look.setForeground(BRUSHES.of(value))
        span = QTextLayout.FormatRange()
        span.start, span.length, span.format = 0, len(text), look
        layout.setFormats([span])
        layout.beginLayout()
        line = layout.createLine()
        line.setLineWidth(1e6)  # one line, however long
        line.setPosition(QPointF(0, 0))
        layout.endLayout()
        return layout, line.naturalTextWidth(), line.ascent() + line.descent()  # not rounded up


TEXTS = _Texts()


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
        fonts = self.fonts(option.font)
        if role is None:
            TEXTS.draw(
                painter,
                "ACCOUNT " + str(index.data()),
                fonts.account,
                rect.adjusted(4, 0, 0, 0),
                "muted",
            )
            painter.restore()
            return
        if selected(option, index):
            fill(painter, QRectF(rect), 8, "selection")
        x = rect.left() + 10
        if role.name in self.sessions.sessions:
            dot = QRectF(rect.left() + 6, rect.top() + 12, 8, 8)
            fill(painter, dot, 4, LEVEL_COLORS[self.sessions.level(role.name)])
            x += 10
        status, status_color = self._status(role.name, index)
        status_width = fonts.small_metrics.horizontalAdvance(status) + 8 if status else 0
        if status:
            box = QRect(rect.right() - status_width, rect.top() + 4, status_width - 4, 20)
            TEXTS.draw(painter, status, fonts.small, box, status_color, "right")
        right = self._paint_badges(painter, fonts, role, rect.right() - status_width - 4, rect)
        self._paint_names(
            painter, fonts, role, QRect(x, rect.top(), right - x, rect.height()), rect.right()
        )
        painter.restore()

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
        for badge in reversed(badges):
            width = metrics.horizontalAdvance(badge) + 10
            box = QRectF(right - width, rect.top() + 6, width, 16)
            invalid = badge == "Invalid"
            fill(painter, box, 8, "criticalBg" if invalid else "badge")
            TEXTS.draw(
                painter, badge, fonts.badge, box, "critical" if invalid else "muted", "center"
            )
            right -= width + 4
        return right

    def _paint_names(
        self, painter: QPainter, fonts: _RowFonts, role: RoleProfile, area: QRect, right: int
    ) -> None:
        """The role's name in bold (up to the badges), then profile · region below it (up to
        `right`, the row's end)."""
        x, top = area.left(), area.top()
        name_rect = QRect(x, top + 4, max(area.width() - 4, 10), 20)
        name = elided(role.role_name, fonts.bold_metrics, name_rect.width())
        TEXTS.draw(painter, name, fonts.bold, name_rect, "text")
        detail = f"{role.name} · {role.region or 'no region'}"
        detail_rect = QRect(x, top + 25, right - x - 4, 18)
        detail = elided(detail, fonts.small_metrics, detail_rect.width())
        TEXTS.draw(painter, detail, fonts.small, detail_rect, "muted")


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
            fill(painter, QRectF(rect), 8, "selection")
        inner = rect.adjusted(10, 4, -10, -8)
        font = option.font
        TEXTS.draw(painter, profile, font, inner, "text", top=True)
        time_text = (
            "expired" if level == "expired" else format_remaining(self.sessions.remaining(profile))
        )
        TEXTS.draw(painter, time_text, font, inner, LEVEL_COLORS[level], "right", top=True)
        bar = QRectF(inner.left(), inner.bottom() - 1, inner.width(), 4)
        fill(painter, bar, 2, "badge")
        filled = QRectF(
            bar.left(), bar.top(), bar.width() * self.sessions.fraction_left(profile), 4
        )
        fill(painter, filled, 2, LEVEL_COLORS[level])
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
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QPen

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
