"""In-text citations link to their references, and each reference links back."""

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from blog.markup import link_citations, render_article_body
from blog.models import Article, Reference

SEED_URL = "/blog/magnesium-bone-health/"
SEED_CITATIONS = {
    # reference number: label, in the order of the seed's reference list
    1: "Castiglioni et al., 2013",
    2: "Dai et al., 2014",
    3: "Rosen et al., 2012",
    4: "Rude et al., 2006",
    5: "Sojka & Weaver, 1995",
    6: "Rosanoff et al., 2012",
}
ROSEN_PARAGRAPH = (
    "<p>Approximately 60% of the body’s magnesium is stored in the bones, where it contributes "
    "to structural integrity and bone metabolism. Magnesium is required for the activation of "
    "vitamin D, a nutrient essential for calcium absorption. Without sufficient magnesium, "
    "vitamin D remains inactive, impairing calcium uptake and, subsequently, bone health "
    '(<a class="citation" href="#ref-3" id="cite-3-1">Rosen et al., 2012</a>).</p>'
)
SOJKA_SENTENCE_END = (
    "improved bone strength "
    '(<a class="citation" href="#ref-5" id="cite-5-1">Sojka &amp; Weaver, 1995</a>).</p>'
)


def link(body: str, *references: tuple[str, int]):
    return link_citations(render_article_body(body), tuple(references))


@pytest.fixture
def seed_soup(client, db) -> BeautifulSoup:
    call_command("load_seed_articles", verbosity=0)
    return BeautifulSoup(client.get(SEED_URL).content, "html.parser")


def test_seed_paragraph_is_rendered_with_its_citation_linked_exactly(client, db):
    call_command("load_seed_articles", verbosity=0)
    html = client.get(SEED_URL).text
    assert ROSEN_PARAGRAPH in html
    assert SOJKA_SENTENCE_END in html


def test_every_seed_citation_links_to_its_reference_and_every_reference_links_back(seed_soup):
    citations = seed_soup.select(".prose a.citation")
    assert [(a["href"], a.get_text()) for a in citations] == [
        ("#ref-3", "Rosen et al., 2012"),
        ("#ref-4", "Rude et al., 2006"),
        ("#ref-2", "Dai et al., 2014"),
        ("#ref-5", "Sojka & Weaver, 1995"),
        ("#ref-1", "Castiglioni et al., 2013"),
        ("#ref-6", "Rosanoff et al., 2012"),
    ]
    for number, label in SEED_CITATIONS.items():
        entry = seed_soup.select_one(f"li#ref-{number}")
        backlinks = entry.select("a.backlink")
        assert [a["href"] for a in backlinks] == [f"#cite-{number}-1"], label
        assert backlinks[0]["aria-label"] == f"Back to where {label} is cited"
        cited_from = seed_soup.select_one(backlinks[0]["href"])
        assert cited_from.get_text() == label
        assert cited_from["href"] == f"#ref-{number}"


def test_citation_and_reference_ids_are_unique_on_the_page(seed_soup):
    ids = [element["id"] for element in seed_soup.find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_backlinks_add_no_text_to_the_reference_entry(seed_soup):
    entry = seed_soup.select_one("li#ref-5")
    assert " ".join(entry.get_text().split()) == (
        "Sojka, J. E., & Weaver, C. M. (1995). Magnesium supplementation and osteoporosis. "
        "Nutrition Reviews, 53(3), 71-74."
    )


def test_several_sources_in_one_parenthesis_are_each_linked():
    cited = link(
        "Bone (Rosen et al., 2012; Sojka & Weaver, 1995; Dai et al., 2014) matters.",
        ("Dai et al., 2014", 1),
        ("Rosen et al., 2012", 2),
        ("Sojka & Weaver, 1995", 3),
    )
    assert cited.html == (
        "<p>Bone ("
        '<a class="citation" href="#ref-2" id="cite-2-1">Rosen et al., 2012</a>; '
        '<a class="citation" href="#ref-3" id="cite-3-1">Sojka &amp; Weaver, 1995</a>; '
        '<a class="citation" href="#ref-1" id="cite-1-1">Dai et al., 2014</a>'
        ") matters.</p>"
    )
    assert dict(cited.citing_ids) == {1: ("cite-1-1",), 2: ("cite-2-1",), 3: ("cite-3-1",)}


def test_repeated_citations_get_their_own_ids_and_the_reference_lists_each(client, make_article):
    article = make_article(
        slug="twice",
        body_source="First (Doe, 2020).\n\nAgain (see Doe, 2020, p. 4).\n\nOnce more (Doe 2020).",
    )
    Reference.objects.create(
        article=article,
        position=7,
        label="Doe, 2020",
        authors="Doe, J.",
        year=2020,
        title="T",
        journal="J",
    )
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    assert [a["id"] for a in soup.select(".prose a.citation")] == [
        "cite-7-1",
        "cite-7-2",
        "cite-7-3",
    ]
    # Lead-ins and page locators are kept as text outside the link.
    assert "(see <a" in str(soup.select(".prose p")[1])
    assert "</a>, p. 4)" in str(soup.select(".prose p")[1])
    backlinks = soup.select("li#ref-7 a.backlink")
    assert [a["href"] for a in backlinks] == ["#cite-7-1", "#cite-7-2", "#cite-7-3"]
    assert backlinks[1]["aria-label"] == "Back to where Doe, 2020 is cited (2 of 3)"


def test_label_matching_forgives_case_spacing_and_and_for_ampersand():
    cited = link("X (sojka  and Weaver, 1995).", ("Sojka & Weaver, 1995", 1))
    assert cited.ids_citing(1) == ("cite-1-1",)
    assert '">sojka  and Weaver, 1995</a>' in cited.html


def test_the_longest_matching_label_wins():
    cited = link("X (Smith & Jones, 2020).", ("Jones, 2020", 1), ("Smith & Jones, 2020", 2))
    assert cited.ids_citing(2) == ("cite-2-1",)
    assert cited.ids_citing(1) == ()


def test_a_citation_of_no_reference_stays_plain_text_and_is_reported():
    cited = link("X (Nobody et al., 1999; Doe, 2020).", ("Doe, 2020", 1))
    assert cited.unmatched == ("Nobody et al., 1999",)
    assert "(Nobody et al., 1999; <a" in cited.html
    assert cited.uncited([("Doe, 2020", 1), ("Roe, 2021", 2)]) == ("Roe, 2021",)


@pytest.mark.parametrize(
    "text",
    [
        "(BMD)",
        "(PTH)",
        "(over 2,000 participants)",
        "(in 2012)",
        "(1995, 2010)",
        "(see the table below)",
    ],
)
def test_parentheses_that_are_not_citations_are_left_alone(text):
    body = f"Words {text} more words."
    cited = link(body, ("Doe, 2020", 1))
    assert cited.unmatched == ()
    assert cited.html == render_article_body(body)


def test_citations_inside_code_or_an_existing_link_are_not_linked():
    cited = link(
        "`(Doe, 2020)` and [a link (Doe, 2020)](https://example.org/) and ```\n(Doe, 2020)\n```",
        ("Doe, 2020", 1),
    )
    assert cited.citing_ids == {}
    assert 'class="citation"' not in cited.html


def test_a_citation_in_an_attribute_value_is_not_touched():
    cited = link('<abbr title="a>b (Doe, 2020)">x</abbr> (Doe, 2020)', ("Doe, 2020", 1))
    assert '<abbr title="a>b (Doe, 2020)">x</abbr>' in cited.html
    assert cited.ids_citing(1) == ("cite-1-1",)


@pytest.mark.parametrize(
    "label",
    [
        "<script>alert.call</script>, 2020",
        '<img src=x onerror="alert.call">, 2020',
        'Evil" onmouseover="alert.call, 2020',
        "Evil' onclick='alert.call', 2020",
    ],
)
def test_hostile_labels_and_citation_text_come_out_escaped(label):
    source = f"Text ({label.replace('<', '&lt;')})."
    cited = link(source, (label, 1))
    assert cited.ids_citing(1) == ("cite-1-1",)
    soup = BeautifulSoup(cited.html, "html.parser")
    assert soup.select_one("a.citation").get_text() == label
    assert soup.find("script") is None
    for element in soup.find_all(True):
        assert not any(name.startswith("on") for name in element.attrs), element


def test_only_generated_ids_and_classes_survive_on_links():
    # link_citations re-sanitises its output: ids and classes on links pass only in the forms
    # it writes itself, whatever HTML it is handed.
    cited = link_citations(
        '<p><a id="comments" class="evil" href="#ref-1">x</a> (Doe, 2020)'
        '<a id="cite-1-1x" href="#x">y</a><span id="s">z</span></p>',
        (("Doe, 2020", 1),),
    )
    soup = BeautifulSoup(cited.html, "html.parser")
    assert [a.get("id") for a in soup.find_all("a")] == [None, "cite-1-1", None]
    assert [a.get("class") for a in soup.find_all("a")] == [None, ["citation"], None]
    assert soup.find("span") is None


def test_links_follow_reference_edits_without_saving_the_article(client, article):
    url = article.get_absolute_url()
    assert 'href="#ref-1" id="cite-1-1">Doe et al., 2020</a>' in client.get(url).text

    Reference.objects.filter(article=article).update(position=4)
    assert 'href="#ref-4" id="cite-4-1">Doe et al., 2020</a>' in client.get(url).text

    Reference.objects.filter(article=article).update(label="Someone else, 2021")
    html = client.get(url).text
    assert "(Doe et al., 2020)" in html
    assert 'class="citation"' not in html


def test_linking_is_memoised_per_body_and_labels():
    body = render_article_body("Memo (Doe, 2020).")
    first = link_citations(body, (("Doe, 2020", 1),))
    hits = link_citations.cache_info().hits
    assert link_citations(body, (("Doe, 2020", 1),)) is first
    assert link_citations.cache_info().hits == hits + 1
    assert link_citations(body, (("Doe, 2020", 2),)).ids_citing(2) == ("cite-2-1",)


def test_the_article_page_runs_a_fixed_number_of_queries(
    client, make_article, django_assert_num_queries
):
    article = make_article(slug="many", body_source="Many (A, 2001) (B, 2002) (C, 2003).")
    for position, label in enumerate(["A, 2001", "B, 2002", "C, 2003"], start=1):
        Reference.objects.create(
            article=article,
            position=position,
            label=label,
            authors="A, B.",
            year=2001,
            title="T",
            journal="J",
        )
    url = article.get_absolute_url()
    client.get(url)  # the first reader fills the page and fragment caches
    # Every later reader without cookies: the article's version, then the shared copy.
    with django_assert_num_queries(1):
        response = client.get(url)
    assert len(BeautifulSoup(response.content, "html.parser").select("a.backlink")) == 3
    # A page rendered for one visitor (any query string but a page number asks for one): the
    # article, its references, its tags, its approved comments (none) and the cached body.
    with django_assert_num_queries(5):
        response = client.get(f"{url}?utm_source=newsletter")
    assert len(BeautifulSoup(response.content, "html.parser").select("a.backlink")) == 3


def test_the_stored_body_keeps_no_links_so_nothing_can_go_stale(article):
    assert "citation" not in Article.objects.get(pk=article.pk).body_html
