"""Reading back what the export wrote, with the GAR's own schemas (the copies in cartable/gar/schemas)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
NS_2D = "http://data.education.fr/ns/gar"
NS_1D = "http://data.education.fr/ns/gar/1d"


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def files_by_type(paths: list[Path]) -> dict[str, Path]:
    """{"Eleve": path, "Eleve_1D": path…} from names like ENT_CARTABLE[_1D]_Complet_<stamp>_Eleve_0000.xml."""
    found = {}
    for path in paths:
        kind = path.name.split("_")[-2]
        found[f"{kind}_1D" if "_1D_" in path.name else kind] = path
    return found


def assert_valid(path: Path, xsd: str) -> etree._ElementTree:
    tree = etree.parse(str(path))
    checker = schema(xsd)
    assert checker.validate(tree), f"{path.name}: {checker.error_log}"
    return tree


def texts(tree: etree._ElementTree, xpath: str, ns: str = NS_2D) -> list[str]:
    return [node.text for node in tree.xpath(xpath, namespaces={"men": ns})]
