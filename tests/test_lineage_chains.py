"""`hemokg lineage` draws each chain as a hematologist does (issue 15, section 4): from the hematopoietic stem cell,
through every named stage, with the develops-into paths of real stages (never a grouping class such as
"granulocyte"), on the shipped reasoned graph. The steps themselves are CL's develops-from edges or hemo's own,
each cited in hemo.ttl (docs/competency-questions.md lists the questions)."""

from __future__ import annotations

import pytest

import hemokg
from hemokg.lineage import Lineage

HSC = "hematopoietic stem cell"
GROUPINGS = {
    "blood cell",
    "leukocyte",
    "granulocyte",
    "myeloid cell",
    "myeloid leukocyte",
    "lymphocyte",
    "committed hematopoietic precursor cell",
    "erythroid lineage cell",
}


@pytest.fixture(scope="module")
def kg() -> hemokg.KnowledgeGraph:
    return hemokg.load()


def _named(lineage: Lineage, path: list[str]) -> list[str]:
    return [lineage.label(i) for i in path]


def _chains(lineage: Lineage) -> list[list[str]]:
    """Every develops-from chain shown: the cell's own and those of the kinds shown with it."""
    return [_named(lineage, c) for c in lineage.chains()] + [
        _named(kind, c) for kind in lineage.kinds for c in kind.chains()
    ]


def _in_order(chain: list[str], stages: list[str]) -> bool:
    """Whether the stages appear in the chain in this order, each right after the one before (one step)."""
    text = " > ".join(chain)
    return " > ".join(stages) in text


CHAINS = {
    "erythrocyte": [
        HSC,
        "hematopoietic multipotent progenitor cell",
        "common myeloid progenitor",
        "megakaryocyte-erythroid progenitor cell",
        "erythroid progenitor cell",
        "proerythroblast",
        "basophilic erythroblast",
        "polychromatophilic erythroblast",
        "orthochromatic erythroblast",
        "reticulocyte",
        "erythrocyte",
    ],
    "platelet": [
        "megakaryocyte-erythroid progenitor cell",
        "megakaryocyte progenitor cell",
        "megakaryocyte",
        "platelet",
    ],
    "neutrophil": [
        "neutrophilic myeloblast",
        "neutrophilic promyelocyte",
        "neutrophilic myelocyte",
        "neutrophilic metamyelocyte",
        "band form neutrophil",
        "segmented neutrophil",
    ],
    "basophil": [
        "basophilic myeloblast",
        "basophilic promyelocyte",
        "basophilic myelocyte",
        "basophilic metamyelocyte",
    ],
    "eosinophil": [
        "eosinophilic myeloblast",
        "eosinophilic promyelocyte",
        "eosinophilic myelocyte",
        "eosinophilic metamyelocyte",
    ],
    "monocyte": ["monoblast", "promonocyte"],
    "macrophage": ["monocyte", "macrophage"],
    "mast cell": ["basophil mast progenitor cell", "mast cell progenitor", "mast cell"],
    "B cell": ["late pro-B cell", "large pre-B-II cell", "small pre-B-II cell", "immature B cell"],
    "plasma cell": ["plasmablast", "plasma cell"],
    "T cell": ["DN2 thymocyte", "DN3 thymocyte", "DN4 thymocyte"],
    "CD4-positive, alpha-beta T cell": ["double-positive, alpha-beta thymocyte", "CD4-positive, alpha-beta thymocyte"],
    "CD8-positive, alpha-beta T cell": ["double-positive, alpha-beta thymocyte", "CD8-positive, alpha-beta thymocyte"],
    # "Treg" names regulatory T cell (any origin): its thymic kind is drawn DP -> CD4 SP -> natural Treg
    "Treg": [
        "double-positive, alpha-beta thymocyte",
        "CD4-positive, alpha-beta thymocyte",
        "natural T-regulatory cell",
    ],
    "MAIT": [
        "DN4 thymocyte",
        "immature single positive thymocyte",
        "double-positive, alpha-beta thymocyte",
        "mucosal-associated invariant T cell",
    ],
    "NKT": ["double-positive, alpha-beta thymocyte", "immature NK T cell", "mature NK T cell"],
    # the peripheral kind: CL:0000902 develops from CL:0000896 (activated), which develops from CL:0000895 (naive)
    "induced regulatory T cell": [
        "double-positive, alpha-beta thymocyte",
        "CD4-positive, alpha-beta thymocyte",
        "naive thymus-derived CD4-positive, alpha-beta T cell",
        "activated CD4-positive, alpha-beta T cell",
        "induced T-regulatory cell",
    ],
    # regulatory T cell shows its induced kind too, beside the thymic one drawn for "Treg"
    "regulatory T cell": [
        "naive thymus-derived CD4-positive, alpha-beta T cell",
        "activated CD4-positive, alpha-beta T cell",
        "induced T-regulatory cell",
    ],
}
FROM_THE_STEM_CELL = [
    *CHAINS,
    "dendritic cell",
    "plasmacytoid dendritic cell",
    "natural killer cell",
    "innate lymphoid cell",
]


@pytest.mark.parametrize("cell", sorted(CHAINS))
def test_the_chain_a_hematologist_draws(kg: hemokg.KnowledgeGraph, cell: str) -> None:
    chains = _chains(kg.lineage(cell))
    assert any(_in_order(c, CHAINS[cell]) for c in chains), chains


@pytest.mark.parametrize("cell", sorted(FROM_THE_STEM_CELL))
def test_every_chain_starts_at_the_stem_cell(kg: hemokg.KnowledgeGraph, cell: str) -> None:
    chains = _chains(kg.lineage(cell))
    assert chains and all(c[0] == HSC for c in chains), chains


@pytest.mark.parametrize(
    ("cell", "becomes"),
    [
        ("erythroblast", "reticulocyte"),
        ("neutrophilic metamyelocyte", "band form neutrophil"),
        ("monocyte", "macrophage"),
        ("B cell", "plasma cell"),
        ("myeloblast", "neutrophilic promyelocyte"),
        ("naive thymus-derived CD4-positive, alpha-beta T cell", "induced T-regulatory cell"),
    ],
)
def test_a_precursor_develops_into_something(kg: hemokg.KnowledgeGraph, cell: str, becomes: str) -> None:
    lineage = kg.lineage(cell)
    assert any(becomes in _named(lineage, p) for p in lineage.outcomes()), lineage.outcomes()


def test_the_stem_cell_develops_into_real_stages_only(kg: hemokg.KnowledgeGraph) -> None:
    lineage = kg.lineage(HSC)
    ends = {lineage.label(p[-1]) for p in lineage.outcomes()}
    assert not ends & GROUPINGS, ends & GROUPINGS
    for mature in ("erythrocyte", "platelet", "segmented neutrophil", "mast cell", "macrophage", "plasma cell"):
        assert any(mature in _named(lineage, p) for p in lineage.outcomes()), mature


def test_kinds_are_worded_plainly(kg: hemokg.KnowledgeGraph) -> None:
    from hemokg.cli.render import render_lineage

    text = render_lineage(kg.lineage("basophil"), "table")
    assert "one kind of basophil, mature basophil, step by step:" in text


#: The cells' own one-step edges (not inherited from a parent class), with where each comes from.
OWN_STEPS = [
    ("HEMO:0000227", "HEMO:0000209"),  # MAIT <- DP thymocyte: CL:0000940 develops from CL:0000809
    ("HEMO:0000235", "HEMO:0000209"),  # immature NKT <- DP thymocyte: CL:0000914 develops from CL:0000809
    ("HEMO:0000228", "HEMO:0000235"),  # mature NKT <- immature NKT: CL:0000814 develops from CL:0000914
    ("HEMO:0000236", "HEMO:0000210"),  # natural Treg <- CD4 SP thymocyte: PMID:36038290 (CL: from DP, transitively)
    ("HEMO:0000237", "HEMO:0000217"),  # activated CD4 T <- naive CD4 T: CL:0000896 develops from CL:0000895
    ("HEMO:0000238", "HEMO:0000237"),  # induced Treg <- activated CD4 T: CL:0000902 develops from CL:0000896
]


@pytest.mark.parametrize(("cell", "step"), OWN_STEPS, ids=[c for c, _ in OWN_STEPS])
def test_t_cell_lineages_have_their_own_steps(kg: hemokg.KnowledgeGraph, cell: str, step: str) -> None:
    """Treg (natural and induced), MAIT and NKT are drawn from their own `directly develops from` axioms."""
    from hemokg.vocab import curie_to_iri

    axiom = (
        "ASK { <%s> <http://www.w3.org/2000/01/rdf-schema#subClassOf> [ "
        "<http://www.w3.org/2002/07/owl#onProperty> <http://purl.obolibrary.org/obo/RO_0002207> ; "
        "<http://www.w3.org/2002/07/owl#someValuesFrom> <%s> ] }"
    )
    assert kg.sparql(axiom % (curie_to_iri(cell), curie_to_iri(step))).boolean
