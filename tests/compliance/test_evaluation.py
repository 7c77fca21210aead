"""The evaluation set: size, labels, and the quality goals of issue 4."""

from mediadesk.compliance.evaluation import KINDS, evaluate, load_cases


def test_evaluation_set_has_at_least_150_sentences_of_every_kind():
    cases = load_cases()
    assert len(cases) >= 150 and {c.kind for c in cases} == set(KINDS)


def test_evaluation_ids_are_unique():
    ids = [c.id for c in load_cases()]
    assert len(ids) == len(set(ids))


def test_recall_is_at_least_95_percent():
    report = evaluate()
    assert report.recall >= 0.95, [c.text for c, _ in report.misses]


def test_no_exempt_or_clean_sentence_is_blocked():
    report = evaluate()
    assert report.wrongly_blocked == []
