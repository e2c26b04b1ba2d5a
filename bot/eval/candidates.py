"""The candidates `make compare` trains and scores: an NLU pipeline and a decision rule.

A pipeline is trained once and every rule is scored on its parses, so comparing
rules costs no training. Rows land in docs/benchmarks.md; the winner on the dev
half becomes `config.yml` and `bot.actions.decision.DEFAULT_RULE`.
"""

from __future__ import annotations

from dataclasses import replace

from bot.actions.decision import DEFAULT_RULE, DecisionRule

PIPELINES = {
    "default": "config.yml",
    "words_only": "bot/pipelines/words_only.yml",
    "spacy_lookup": "bot/pipelines/spacy_lookup.yml",
    "use": "bot/pipelines/use.yml",
    "word_pairs": "bot/pipelines/word_pairs.yml",
    "wide_selector": "bot/pipelines/wide_selector.yml",
    "selector_only": "bot/pipelines/selector_only.yml",
}

# The fusion with the thresholds in use until the topic classifier (2026-11-30).
FUSION_RULE = replace(DEFAULT_RULE, gap_floor=0.25, gap=0.25, runner_up_see_also=1.0)
# The rule in use until the fusion (2026-11-30): the model's ranking alone, with the
# nearest training question as a second opinion.
RANKING_RULE = replace(FUSION_RULE, lexical_weight=0.0)

RULES: dict[str, DecisionRule] = {
    # Until 2026-11: answer above one threshold, otherwise propose the closest topics.
    "soglia": DecisionRule(),
    # The whole ranking: gap, siblings and years; no second opinion, no follow-ups.
    "classifica": replace(RANKING_RULE, agree_floor=1.0, followups=False),
    # ... and the nearest training question agreeing with the model (bot.actions.lexical).
    "classifica+accordo": replace(RANKING_RULE, followups=False),
    # ... and follow-ups read in the context of the last answer.
    "classifica+accordo+seguiti": RANKING_RULE,
    # ... on the model's ranking fused with the nearest-question search.
    "fusione": FUSION_RULE,
    # ... with a smaller gap and no agreement criterion (the search already weighs in).
    "fusione+soglie": replace(FUSION_RULE, gap=0.15, agree_floor=1.0),
    # The fusion before a follow-up that is only a year ("e nel 2025?") was decided by
    # the year among the last topic's siblings.
    "fusione, seguiti senza anno": replace(FUSION_RULE, moment_followups_by_year=False),
    # The thresholds for the ranking with the topic classifier blended in (its
    # confidences spread less); only siblings as «Vedi anche» (until 2026-11-30).
    "fusione+classificatore, vedi anche solo fratelli": replace(DEFAULT_RULE, runner_up_see_also=1.0),
    # ... and an answer below the threshold also offers the runner-up as «Vedi anche»,
    # sibling or not: the rule in use.
    "fusione+classificatore": DEFAULT_RULE,
    # The search weighing more and sharper, a smaller gap, no agreement criterion, and
    # the search's vote only for clear FAQ intents: best on the dev half with
    # `in_scope_dev` (2026-11-30), more wrong answers on the test half: not in use.
    "fusione forte": replace(
        FUSION_RULE,
        gap=0.2,
        agree_floor=1.0,
        lexical_weight=0.35,
        lexical_sharpness=45.0,
        lexical_needs_clear_intent=True,
    ),
}

# name → (pipeline, rule)
CANDIDATES: dict[str, tuple[str, str]] = {
    "default+soglia": ("default", "soglia"),
    "default+classifica": ("default", "classifica"),
    "default+classifica+accordo": ("default", "classifica+accordo"),
    "default+classifica+accordo+seguiti": ("default", "classifica+accordo+seguiti"),
    "default+fusione": ("default", "fusione"),
    "default+fusione+soglie": ("default", "fusione+soglie"),
    "default+fusione, seguiti senza anno": ("default", "fusione, seguiti senza anno"),
    "default+fusione forte": ("default", "fusione forte"),
    "use+soglia": ("use", "soglia"),
    "use+classifica+accordo+seguiti": ("use", "classifica+accordo+seguiti"),
    "use+fusione": ("use", "fusione"),
    "word_pairs+fusione": ("word_pairs", "fusione"),
    "wide_selector+fusione": ("wide_selector", "fusione"),
    "selector_only+fusione": ("selector_only", "fusione"),
    "selector_only+fusione+classificatore": ("selector_only", "fusione+classificatore"),
    "default+fusione+classificatore, vedi anche solo fratelli": (
        "default",
        "fusione+classificatore, vedi anche solo fratelli",
    ),
    "default+fusione+classificatore": ("default", "fusione+classificatore"),
    "words_only+classifica+accordo+seguiti": ("words_only", "classifica+accordo+seguiti"),
    "spacy_lookup+classifica+accordo+seguiti": ("spacy_lookup", "classifica+accordo+seguiti"),
}
