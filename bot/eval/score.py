"""Score the held-out set as the user sees it.

Every message goes through the same decision as the custom actions
(bot.actions.decision): the user gets a direct answer (right or wrong), a list
of proposed topics (the right one among them or not), or no FAQ answer at all.
The headline counts those outcomes; the topic ranked first by the model is only
a diagnostic.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.actions.decision import FAQ_TURN_INTENTS, DecisionRule, decide, faq_candidates
from bot.actions.lexical import topic_scores
from bot.eval.heldout import HeldOut
from bot.kb.model import KnowledgeBase

# Relative years ("quest'anno") are read as on the day the set was written, so the
# figures do not drift with the calendar.
EVAL_DATE = dt.date(2026, 11, 30)


@dataclass(frozen=True)
class Outcome:
    kind: str  # "answer", "suggest", "not_understood" or the non-FAQ intent's name
    topic: str | None = None
    suggestions: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    top: str | None = None  # the model's best topic, whatever the user saw
    reason: str = ""

    def describe(self) -> str:
        if self.kind == "answer":
            extra = f" (vedi anche {', '.join(self.see_also)})" if self.see_also else ""
            return f"risposta {self.topic} [{self.reason}]{extra}"
        if self.kind == "suggest":
            return f"proposte {', '.join(self.suggestions)} [{self.reason}]"
        return f"{self.kind} (migliore: {self.top})"


def outcome_of(
    parse: Mapping[str, Any],
    rule: DecisionRule,
    kb: KnowledgeBase,
    context: str | None = None,
    today: dt.date = EVAL_DATE,
) -> Outcome:
    intent = str((parse.get("intent") or {}).get("name"))
    candidates = faq_candidates(parse, known=kb)
    top = candidates[0].topic_id if candidates else None
    if intent not in FAQ_TURN_INTENTS:
        return Outcome(intent, top=top)
    text = str(parse.get("text") or "")
    similarity = topic_scores(kb, text) if rule.uses_lexical else None
    confidence = (parse.get("intent") or {}).get("confidence")
    decision = decide(candidates, rule, kb, text, intent, context, today, None, confidence, similarity)
    return Outcome(
        decision.kind,
        decision.topic.topic_id if decision.topic else None,
        tuple(c.topic_id for c in decision.suggestions),
        tuple(decision.see_also),
        top,
        decision.reason,
    )


@dataclass
class Tally:
    """How n questions ended for the user."""

    total: int = 0
    right: int = 0  # answered directly with a right topic
    wrong: int = 0  # answered directly with a wrong topic
    wrong_see_also: int = 0  # ... of which a right topic was a «Vedi anche» button: one tap away
    one_click: int = 0  # not answered, a right topic among the proposals
    not_resolved: int = 0

    def add(self, outcome: Outcome, right: tuple[str, ...]) -> bool:
        self.total += 1
        if outcome.kind == "answer" and outcome.topic in right:
            self.right += 1
            return True
        if outcome.kind == "answer":
            self.wrong += 1
            self.wrong_see_also += any(t in right for t in outcome.see_also)
        elif outcome.kind == "suggest" and any(t in right for t in outcome.suggestions):
            self.one_click += 1
        else:
            self.not_resolved += 1
        return False

    def rate(self, part: int) -> float:
        return part / self.total if self.total else 0.0

    @property
    def right_or_proposed(self) -> int:
        """Right at once, or on a proposal: the one-click figure until 2026-11-30."""
        return self.right + self.one_click

    @property
    def within_one_click(self) -> int:
        """Right at once, or after one tap: on a proposal, or on the «Vedi anche» under a wrong answer."""
        return self.right_or_proposed + self.wrong_see_also


@dataclass
class Report:
    label: str
    split: str
    in_scope: Tally = field(default_factory=Tally)
    top1: int = 0  # diagnostic: the right topic ranked first by the model
    oos: int = 0
    oos_handled: int = 0
    oos_outcomes: Counter[str] = field(default_factory=Counter)
    followups: Tally = field(default_factory=Tally)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        s, f = self.in_scope, self.followups
        return {
            "split": self.split,
            "in_scope": s.total,
            "answered_right": round(s.rate(s.right), 4),
            "answered_wrong": round(s.rate(s.wrong), 4),
            "one_click": round(s.rate(s.one_click), 4),
            "right_or_one_click": round(s.rate(s.within_one_click), 4),
            "right_or_proposed": round(s.rate(s.right_or_proposed), 4),
            "not_resolved": round(s.rate(s.not_resolved), 4),
            "top1": round(s.rate(self.top1), 4),
            "out_of_scope": self.oos,
            "oos_handled": round(self.oos_handled / self.oos, 4) if self.oos else 0.0,
            "oos_redirected": round(self.oos_outcomes["out_of_scope"] / self.oos, 4) if self.oos else 0.0,
            "followups": f.total,
            "followups_right": round(f.rate(f.right), 4),
            "followups_right_or_one_click": round(f.rate(f.within_one_click), 4),
        }


def score(
    heldout: HeldOut,
    parses: Mapping[str, Mapping[str, Any]],
    rule: DecisionRule,
    kb: KnowledgeBase,
    label: str = "",
    split: str = "",
) -> Report:
    report = Report(label=label, split=split)
    for question in heldout.in_scope:
        outcome = outcome_of(parses[question.text], rule, kb)
        report.top1 += outcome.top in question.topics
        if not report.in_scope.add(outcome, question.topics):
            expected = question.topics[0]
            got = {"answer": outcome.topic, "suggest": outcome.top}.get(outcome.kind, outcome.kind)
            report.confusions[(expected, got or "-")] += 1
            report.errors.append(f"[{'/'.join(question.topics)}] {question.text!r} → {outcome.describe()}")
    for text in heldout.out_of_scope:
        outcome = outcome_of(parses[text], rule, kb)
        report.oos += 1
        report.oos_outcomes[outcome.kind] += 1
        if outcome.kind != "answer":
            report.oos_handled += 1
        else:
            report.errors.append(f"[fuori ambito] {text!r} → {outcome.describe()}")
    for followup in heldout.followups:
        first = outcome_of(parses[followup.first], rule, kb)
        # The context is what the user got: the answer given, or the right topic
        # clicked among the proposals; nothing when neither happened.
        context = first.topic if first.kind == "answer" else None
        if first.kind == "suggest" and followup.first_topic in first.suggestions:
            context = followup.first_topic
        outcome = outcome_of(parses[followup.text], rule, kb, context=context)
        if not report.followups.add(outcome, (followup.topic,)):
            report.errors.append(
                f"[seguito {followup.topic}] {followup.first!r} ({context}) → {followup.text!r} → {outcome.describe()}"
            )
    return report


def format_report(report: Report, verbose: bool = False) -> str:
    s, f = report.in_scope, report.followups
    lines = [
        f"\n{report.label} — parte {report.split}",
        f"Domande in ambito: {s.total}",
        f"  risposta diretta giusta      {s.rate(s.right):6.1%}  ({s.right})",
        f"  risposta diretta sbagliata   {s.rate(s.wrong):6.1%}  ({s.wrong}; la giusta tra i «Vedi anche»: "
        f"{s.wrong_see_also})",
        f"  giusta dopo un clic          {s.rate(s.one_click):6.1%}  ({s.one_click})",
        f"  giusta subito o con un clic  {s.rate(s.within_one_click):6.1%}  ({s.within_one_click}; solo clic "
        f"sulle proposte: {s.rate(s.right_or_proposed):.1%})",
        f"  non risolta                  {s.rate(s.not_resolved):6.1%}  ({s.not_resolved})",
        f"  [diagnosi] argomento giusto al primo posto del modello: {s.rate(report.top1):.1%}",
        f"Fuori ambito: {report.oos}, gestite senza risposta FAQ: "
        f"{report.oos_handled / report.oos if report.oos else 0:.1%} (risposta «non è il mio campo» con operatore: "
        f"{report.oos_outcomes['out_of_scope']}; proposte: {report.oos_outcomes['suggest']})",
        f"Domande di seguito: {f.total}, giuste {f.rate(f.right):.1%}, giuste o dopo un clic "
        f"{f.rate(f.within_one_click):.1%}",
    ]
    if report.confusions:
        pairs = ", ".join(f"{a}→{b} ×{n}" for (a, b), n in report.confusions.most_common(12))
        lines.append(f"Coppie confuse (atteso→ottenuto): {pairs}")
    if verbose and report.errors:
        lines.append("Errori:")
        lines.extend(f"  {e}" for e in report.errors)
    return "\n".join(lines)
