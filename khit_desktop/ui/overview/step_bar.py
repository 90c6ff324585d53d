"""The round's step bar: tiếp nhận → thẩm định → trình Hội đồng → đã chốt. Each step says in
words (and colour) whether it is passed, current or to come, and who moved the round into it
and when. The working team gets two buttons to move the round; everybody else gets none (the
chair finalises through Kỳ đánh giá → Chốt kỳ đánh giá…, not here)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ...services.round_stage import FINALIZED, STAGE_LABELS, STAGES, StageInfo, Step
from ..review import mark_edit
from .widgets import CardLabel, set_shown, styled_font, tint

# (background, foreground, border) by the step's state
PASSED = ("#E2F0D9", "#375623", "#A9D18E")
CURRENT = ("#DDEBF7", "#1F4E79", "#2E75B6")
TO_COME = ("#F2F2F2", "#7F7F7F", "#D9D9D9")


def step_state(step: Step, info: StageInfo) -> str:
    """'Đã qua', 'Hiện tại', 'Chưa đến' (a published year: every step passed)."""
    if not step.reached:
        return "Chưa đến"
    if step.key == info.current and not info.published:
        return "Đã chốt" if step.key == FINALIZED else "Hiện tại"
    return "Đã qua"


def step_detail(step: Step, info: StageInfo) -> str:
    """Who moved the round into the step, and when ('' when nothing is known)."""
    if info.published:
        return "kết quả đã công bố"
    if not step.reached:
        return ""
    if step.by or step.at_text:
        return " · ".join(part for part in (step.by, step.at_text) if part)
    return "không rõ người, thời điểm"


class StepBar(QFrame):
    """Four step boxes and, for the working team, the move buttons."""

    forward_requested = Signal(str)  # the target stage
    back_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepBar")
        self.info: StageInfo | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.boxes: list[CardLabel] = []
        for position in range(len(STAGES)):
            if position:
                arrow = QLabel("→", self)
                arrow.setFont(styled_font(point_size=14))
                tint(arrow, "#7F7F7F")
                layout.addWidget(arrow)
            box = CardLabel(self)
            box.setObjectName(f"step{position}")
            box.setMinimumWidth(180)
            layout.addWidget(box, 1)
            self.boxes.append(box)
        # the move buttons are placed by the panel (in its title row, where there is room)
        self.forward = QPushButton(self)
        self.forward.setObjectName("stageForward")
        mark_edit(self.forward)
        self.back = QPushButton(self)
        self.back.setObjectName("stageBack")
        mark_edit(self.back)
        self.forward.clicked.connect(self._forward)
        self.back.clicked.connect(self._back)
        self.set_stage(None, can_move=False)

    def set_stage(self, info: StageInfo | None, *, can_move: bool) -> None:
        self.info = info
        for position, box in enumerate(self.boxes):
            step = info.steps[position] if info is not None else None
            self._show_step(box, step, info)
        forward = info.forward if info is not None and can_move else None
        back = info.back if info is not None and can_move else None
        set_shown(self.forward, forward is not None)
        set_shown(self.back, back is not None)
        if forward is not None:
            self.forward.setText(f"Chuyển sang “{STAGE_LABELS[forward]}”")
            self.forward.setToolTip(
                f"Ghi nhận kỳ đánh giá chuyển sang bước {STAGE_LABELS[forward]} (được ghi vào "
                "nhật ký thay đổi; có thể trả về, kèm lý do)."
            )
        if back is not None:
            self.back.setText(f"Trả về “{STAGE_LABELS[back]}”…")
            self.back.setToolTip(
                f"Đưa kỳ đánh giá trở lại bước {STAGE_LABELS[back]}; cần ghi lý do."
            )
        self.setToolTip(self._history(info))

    def _show_step(self, box: CardLabel, step: Step | None, info: StageInfo | None) -> None:
        if step is None or info is None:
            box.setText("")
            box.clear_card()
            box.setPalette(QPalette())
            return
        state = step_state(step, info)
        bg, fg, border = TO_COME if not step.reached else CURRENT if state != "Đã qua" else PASSED
        mark = "✓ " if state == "Đã qua" or state == "Đã chốt" else "● " if step.reached else ""
        number = STAGES.index(step.key) + 1
        detail = step_detail(step, info)
        second = escape(state) + (f" — {escape(detail)}" if detail else "")
        box.setText(
            f"<b>{mark}{number}. {escape(step.label)}</b><br>"
            f"<span style='font-size:9pt'>{second}</span>"
        )
        width = 2 if state in ("Hiện tại", "Đã chốt") else 1
        box.set_card(bg, border, width)
        tint(box, fg)
        tip = [f"Bước {number}: {step.label} — {state.lower()}."]
        if step.reached and not info.published and (step.by or step.at_text):
            tip.append(f"Chuyển đến bước này: {step.at_text or '?'} (giờ Việt Nam), bởi {step.by}.")
        if step.reason:
            tip.append(f"Lý do: {step.reason}")
        if step.key == FINALIZED and not step.reached:
            tip.append("Chủ tịch Hội đồng chốt kỳ đánh giá (Kỳ đánh giá → Chốt kỳ đánh giá…).")
        box.setToolTip("\n".join(tip))

    @staticmethod
    def _history(info: StageInfo | None) -> str:
        if info is None or not info.moves:
            return ""
        lines = [m.text for m in info.moves[-8:]]
        return "Các lần chuyển bước (giờ Việt Nam):\n" + "\n".join(lines)

    def _forward(self) -> None:
        if self.info is not None and self.info.forward is not None:
            self.forward_requested.emit(self.info.forward)

    def _back(self) -> None:
        if self.info is not None and self.info.back is not None:
            self.back_requested.emit(self.info.back)
