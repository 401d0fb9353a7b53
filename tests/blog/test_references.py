"""References in APA 7, with links only where a source has one, and as RIS and BibTeX files."""

import bibtexparser
import pytest
import rispy
from bs4 import BeautifulSoup
from django.core.management import call_command

from blog.citations import split_authors
from blog.models import Article, Reference

SEED_RIS = "/blog/magnesium-bone-health/references.ris"
SEED_BIBTEX = "/blog/magnesium-bone-health/references.bib"


def reference_entry(client, article: Article) -> BeautifulSoup:
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    return soup.select_one(".reference-list li")


def entry_text(entry: BeautifulSoup) -> str:
    return " ".join(entry.get_text().split())


def test_a_reference_with_a_doi_links_to_it_in_apa_form(client, article):
    Reference.objects.filter(article=article).update(doi="10.3390/nu5083022", url="")
    entry = reference_entry(client, article)
    assert entry_text(entry) == (
        "Doe, J., & Roe, R. (2020). A study. Journal of Tests, 1(2), 3-4. "
        "https://doi.org/10.3390/nu5083022"
    )
    assert entry.select_one("em").get_text() == "Journal of Tests"
    link = entry.select_one("a:not(.backlink)")
    assert link["href"] == link.get_text() == "https://doi.org/10.3390/nu5083022"


def test_a_reference_with_only_a_url_links_to_the_url(client, article):
    Reference.objects.filter(article=article).update(url="https://example.org/paper")
    entry = reference_entry(client, article)
    assert entry_text(entry).endswith("3-4. https://example.org/paper")
    assert entry.select_one("a:not(.backlink)")["href"] == "https://example.org/paper"


def test_a_reference_without_doi_or_url_gets_no_invented_link(client, article):
    entry = reference_entry(client, article)
    assert entry.select("a:not(.backlink)") == []


def test_a_pasted_doi_address_is_stored_as_the_bare_doi(article):
    reference = article.references.get()
    for pasted in ["https://doi.org/10.1/x", "http://dx.doi.org/10.1/x", "doi: 10.1/x"]:
        reference.doi = pasted
        reference.full_clean()
        assert reference.doi == "10.1/x"
        assert reference.link == "https://doi.org/10.1/x"


def test_missing_volume_issue_or_pages_leave_no_stray_punctuation(client, article):
    Reference.objects.filter(article=article).update(volume="", issue="", pages="")
    assert entry_text(reference_entry(client, article)) == (
        "Doe, J., & Roe, R. (2020). A study. Journal of Tests."
    )


@pytest.mark.parametrize(
    ("authors", "names", "more"),
    [
        ("Sojka, J. E., & Weaver, C. M.", ("Sojka, J. E.", "Weaver, C. M."), False),
        ("Dai, Q., Shu, X. O., Deng, X., et al.", ("Dai, Q.", "Shu, X. O.", "Deng, X."), True),
        ("Dupont, J.-P., & Ng, A.", ("Dupont, J.-P.", "Ng, A."), False),
        ("World Health Organization", ("World Health Organization",), False),
    ],
)
def test_apa_author_lists_split_into_names(authors, names, more):
    parsed = split_authors(authors)
    assert (parsed.names, parsed.more) == (names, more)


def test_seed_references_download_as_ris_that_a_ris_reader_parses(client, db):
    call_command("load_seed_articles", verbosity=0)
    response = client.get(SEED_RIS)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="magnesium-bone-health-references.ris"'
    )
    records = rispy.loads(response.content.decode("utf-8"))
    assert len(records) == 6
    castiglioni = records[0]
    assert castiglioni["type_of_reference"] == "JOUR"
    assert castiglioni["authors"] == [
        "Castiglioni, S.",
        "Cazzaniga, A.",
        "Albisetti, W.",
        "Maier, J. A.",
    ]
    assert castiglioni["year"] == "2013"
    assert castiglioni["title"] == (
        "Magnesium and osteoporosis: Current state of knowledge and future research directions"
    )
    assert castiglioni["secondary_title"] == "Nutrients"
    assert (castiglioni["volume"], castiglioni["number"]) == ("5", "8")
    assert (castiglioni["start_page"], castiglioni["end_page"]) == ("3022", "3033")
    assert "doi" not in castiglioni
    assert "urls" not in castiglioni
    assert [r["secondary_title"] for r in records][2] == (
        "The Journal of Clinical Endocrinology & Metabolism"
    )
    assert b"\r\nER  - \r\n" in response.content


def test_seed_references_download_as_bibtex_that_a_bibtex_parser_reads(client, db):
    call_command("load_seed_articles", verbosity=0)
    response = client.get(SEED_BIBTEX)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="magnesium-bone-health-references.bib"'
    )
    library = bibtexparser.parse_string(response.content.decode("utf-8"))
    assert library.failed_blocks == []
    entries = {entry.key: entry for entry in library.entries}
    assert list(entries) == [
        "castiglioni2013magnesium",
        "dai2014association",
        "rosen2012committee",
        "rude2006magnesium",
        "sojka1995magnesium",
        "rosanoff2012suboptimal",
    ]
    assert all(entry.entry_type == "article" for entry in entries.values())
    rosen = entries["rosen2012committee"]
    assert rosen["author"] == "Rosen, C. J. and Abrams, S. A. and Aloia, J. F. and others"
    assert rosen["journal"] == r"The Journal of Clinical Endocrinology \& Metabolism"
    assert (
        rosen["title"] == "{IOM committee members respond to endocrine society vitamin D guideline}"
    )
    assert (rosen["year"], rosen["volume"], rosen["number"]) == ("2012", "97", "4")
    assert rosen["pages"] == "1146--1152"
    assert "doi" not in rosen.fields_dict


def test_bibtex_escapes_special_characters_and_keeps_dois_verbatim(client, article):
    Reference.objects.filter(article=article).update(
        title="50% of {braces} & under_scores cost $5 #1",
        doi="10.1000/a_b(c)",
    )
    Reference.objects.create(
        article=article,
        position=2,
        label="Doe et al., 2020b",
        authors="Doe, J.",
        year=2020,
        title="Braces again",
        journal="J",
    )
    body = client.get(f"{article.get_absolute_url()}references.bib").content.decode()
    library = bibtexparser.parse_string(body)
    assert library.failed_blocks == []
    first, second = library.entries
    assert first["title"] == r"{50\% of \{braces\} \& under\_scores cost \$5 \#1}"
    assert first["doi"] == "10.1000/a_b(c)"
    assert (first.key, second.key) == ("doe2020braces", "doe2020bracesb")


def test_downloads_are_only_for_published_articles_with_references(client, make_article, article):
    draft = make_article(slug="draft", status=Article.Status.DRAFT, published_at=None)
    Reference.objects.create(
        article=draft,
        position=1,
        label="X, 2000",
        authors="X, Y.",
        year=2000,
        title="T",
        journal="J",
    )
    assert client.get("/blog/draft/references.ris").status_code == 404
    bare = make_article(slug="bare")
    assert client.get(f"{bare.get_absolute_url()}references.bib").status_code == 404
    assert client.post(f"{article.get_absolute_url()}references.ris").status_code == 405


def test_the_article_page_offers_both_downloads(client, article):
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    links = soup.select(".reference-downloads a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("RIS", "/blog/vitamin-k/references.ris"),
        ("BibTeX", "/blog/vitamin-k/references.bib"),
    ]
    assert all(a.has_attr("download") for a in links)
