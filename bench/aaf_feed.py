"""`python -m bench.aaf_feed DIR --persons N`: a synthetic AAF 2D full feed in the real shape.

One school per 1,000 persons (10 schools for 10,000, 100 for 100,000), each with its pupils (38 %), their
guardians (two legal guardians per family, brothers and sisters share them, plus now and then a non-legal
contact), its staff (teachers with classes and subjects, direction, vie scolaire, documentalist,
administration), classes and teaching groups; shared subject (MatiereEducNat) and level (MefEducNat) files.
Files are split every 10,000 records like the académie's, persons in ISO-8859-15 with CRLF line ends,
structures in UTF-8. The same N and seed always give the same feed.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape


def words(text: str) -> list[str]:
    return text.split()


PERSONS_PER_SCHOOL = 1000
RECORDS_PER_FILE = 10_000
PUPILS_PER_CLASS = 26
DATE = "20260901"

FIRST_NAMES = words(
    "Adam Alice Ambre Anna Arthur Axel Camille Chloé Clément Élise Emma Enzo Ethan Eva Gabriel Hugo "
    "Inès Jade Jules Julia Léa Léna Léo Lina Lou Louis Louise Lucas Lucie Maël Manon Margaux Maxime "
    "Mia Nathan Noah Noé Nolan Océane Paul Raphaël Romane Rose Sacha Sarah Théo Thomas Timothée Tom "
    "Zoé Agathe Anaïs Baptiste Benjamin Capucine Charlotte Cléa Damien Diane Éloïse Émile Esteban "
    "Félix Gaspard Hélène Héloïse Isaac Jeanne Joséphine Juliette Kenza Lise Loïs Marius Mathis "
    "Mathilde Naël Nina Olivia Pauline Quentin Rémi Salomé Samuel Simon Sofia Valentin Victor Yanis "
    "Yasmine Zacharie Anaëlle Céleste Gaël Sébastien"
)
LAST_NAMES = words(
    "MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL LEFÈVRE "
    "LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE ROUSSEAU VINCENT "
    "MULLER LEFÈBVRE FAURE ANDRÉ MERCIER BLANC GUÉRIN BOYER GARNIER CHEVALIER FRANÇOIS LEGRAND "
    "GAUTHIER GARCIA PERRIN ROBIN CLÉMENT MORIN NICOLAS HENRY ROUSSEL MATHIEU GAUTIER MASSON "
    "MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE NOËL MEYER DUFOUR MEUNIER BRUN BLANCHARD GIRAUD JOLY "
    "RIVIÈRE LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTINEZ GÉRARD ROCHE RENARD SCHMITT ROY LEROUX "
    "COLIN VIDAL CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD DUMAS LACROIX OLIVIER PHILIPPE "
    "BOURGEOIS PIERRE BENOÎT REY LECLERC PAYET ROLLAND LECLERCQ GUILLAUME LECOMTE LÓPEZ JEAN DUPUY "
    "GUILLOT HUBERT BERGER CARPENTIER SÁNCHEZ DUPUIS MOULIN LOUIS DESCHAMPS HUET VASSEUR PEREZ "
    "BOUCHER FLEURY ROYER KLEIN JACQUET ADAM PARIS POIRIER MARTY AUBRY GUYOT CARRÉ CHARLES RENAULT "
    "CHARPENTIER MÉNARD MAILLARD BARON BERTIN BAILLY HERVÉ SCHNEIDER FERNANDEZ LE GALL COLLET LÉGER "
    "BOUVIER JULIEN PRÉVOST MILLET PERROT DANIEL LE ROUX COUSIN GERMAIN BRETON BESSON LANGLOIS RÉMY "
    "LE GOFF PELLETIER LÉVÊQUE PERRIER LEBLANC BARRÉ LEBRUN MARCHAL WEBER MALLET HAMON BOULANGER "
    "JACOB MONNIER MICHAUD RODRIGUEZ GUICHARD GILLET ÉTIENNE GRONDIN POULAIN TESSIER CHEVALLIER "
    "COLLIN CHAUVIN DA SILVA BOUCHET GAY LEMAÎTRE BÉNARD MARÉCHAL HUMBERT REYNAUD ANTOINE HOARAU "
    "PERRET BARTHÉLEMY CORDIER PICHON LEJEUNE GILBERT LAMY DELAUNAY PASQUIER CARLIER LAPORTE"
)
SUBJECTS = [
    ("030201", "ANGLAIS LV1"),
    ("030602", "ESPAGNOL LV2"),
    ("030102", "ALLEMAND LV2"),
    ("061300", "MATHEMATIQUES"),
    ("020100", "FRANCAIS"),
    ("040700", "HISTOIRE-GEOGRAPHIE"),
    ("062600", "SCIENCES DE LA VIE ET DE LA TERRE"),
    ("063200", "PHYSIQUE-CHIMIE"),
    ("070800", "TECHNOLOGIE"),
    ("080100", "ARTS PLASTIQUES"),
    ("081100", "EDUCATION MUSICALE"),
    ("100100", "EDUCATION PHYSIQUE ET SPORTIVE"),
    ("041100", "ENSEIGNEMENT MORAL ET CIVIQUE"),
    ("020700", "LATIN"),
    ("113800", "ACCOMPAGNEMENT PERSONNALISE"),
]
MEFS = [
    ("10010012110", "6EME"),
    ("10110001110", "5EME"),
    ("10210001110", "4EME"),
    ("10310019110", "3EME"),
]
STAFF_FUNCTIONS = [
    ("DIR", "DIRECTION", "National_DIR"),
    ("DIR", "DIRECTION", "National_DIR"),
    ("EDU", "EDUCATION", "National_EDU"),
    ("EDU", "EDUCATION", "National_EDU"),
    ("DOC", "DOCUMENTATION", "National_DOC"),
    ("ADF", "PERSONNELS ADMINISTRATIFS", "National_ADF"),
    ("ADF", "PERSONNELS ADMINISTRATIFS", "National_ADF"),
    ("ADF", "PERSONNELS ADMINISTRATIFS", "National_ADF"),
]


@dataclass(frozen=True)
class Size:
    persons: int

    @property
    def schools(self) -> int:
        return max(1, round(self.persons / PERSONS_PER_SCHOOL))


def attr(name: str, *values: str) -> str:
    inner = "".join(f"<value>{escape(v)}</value>" for v in values) if values else "<value/>"
    return f'<attr name="{name}">{inner}</attr>'


def request(category_attr: str, category: str, ident: str, attrs: list[str]) -> str:
    body = "\n            ".join(attrs)
    return (
        "    <addRequest>\n"
        f'        <operationalAttributes><attr name="{category_attr}"><value>{category}</value></attr>'
        "</operationalAttributes>\n"
        f"        <identifier><id>{ident}</id></identifier>\n"
        f"        <attributes>\n            {body}\n        </attributes>\n"
        "    </addRequest>\n"
    )


class FeedWriter:
    """Writes one family's records into files of RECORDS_PER_FILE records, in the declared encoding."""

    def __init__(self, directory: Path, family: str, encoding: str, crlf: bool) -> None:
        self.directory, self.family, self.encoding, self.crlf = directory, family, encoding, crlf
        self.index = 0
        self.count = 0
        self.stream = None

    def _open(self) -> None:
        path = self.directory / f"ENT_Complet_{DATE}_{self.family}_{self.index:04d}.xml"
        self.stream = path.open("w", encoding=self.encoding, newline="\r\n" if self.crlf else "\n")
        self.stream.write(f'<?xml version="1.0" encoding="{self.encoding.upper()}"?>\n')
        self.stream.write('<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n<ficAlimMENESR>\n')

    def write(self, text: str) -> None:
        if self.stream is None:
            self._open()
        assert self.stream is not None
        self.stream.write(text)
        self.count += 1
        if self.count % RECORDS_PER_FILE == 0:
            self.close()
            self.index += 1

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("</ficAlimMENESR>\n")
            self.stream.close()
            self.stream = None


def birth(rng: random.Random, year: int) -> str:
    return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}"


def school_records(size: Size) -> Iterator[tuple[str, str]]:
    for s in range(size.schools):
        yield f"{1000 + s}", f"{59_00000 + s:07d}{'ABCDEFGHJKLMNPRSTUVWXYZ'[s % 23]}"


def generate(directory: Path, persons: int, seed: int = 2026) -> dict[str, int]:
    """Write the feed into `directory` (created); returns the number of records per family."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("ENT_Complet_*.xml"):
        old.unlink()
    rng = random.Random(seed)
    size = Size(persons)
    per_school = persons // size.schools
    written = {"EtabEducNat": 0, "MatiereEducNat": 0, "MefEducNat": 0, "Eleve": 0, "PersRelEleve": 0}
    written["PersEducNat"] = 0

    schools = FeedWriter(directory, "EtabEducNat", "utf-8", crlf=False)
    for jointure, uai in school_records(size):
        schools.write(
            request(
                "categorieStructure",
                "EtabEducNat",
                jointure,
                [
                    attr("ENTStructureJointure", jointure),
                    attr("ENTStructureUAI", uai),
                    attr("ENTEtablissementUAI", uai),
                    attr("ENTStructureNomCourant", f"COLLEGE {rng.choice(LAST_NAMES)}$VILLE {jointure}"),
                    attr("ENTStructureTypeStruct", "CLG"),
                    attr("ENTEtablissementMinistereTutelle", "MINISTERE DE L'EDUCATION NATIONALE"),
                    attr("postOfficeBox"),
                    attr("street", f"{rng.randint(1, 99)} rue de l'École"),
                    attr("postalCode", f"59{rng.randint(100, 999)}"),
                    attr("l", f"VILLE {jointure}"),
                    attr("ENTServAcAcademie", "LILLE"),
                    attr("ENTStructureClasses"),
                    attr("ENTStructureGroupes"),
                ],
            )
        )
        written["EtabEducNat"] += 1
    schools.close()

    subjects = FeedWriter(directory, "MatiereEducNat", "utf-8", crlf=False)
    for code, name in SUBJECTS:
        subjects.write(
            request(
                "categorieStructure",
                "MatiereEducNat",
                code,
                [attr("ENTMatJointure", code), attr("ENTLibelleMatiere", name)],
            )
        )
        written["MatiereEducNat"] += 1
    subjects.close()
    mefs = FeedWriter(directory, "MefEducNat", "utf-8", crlf=False)
    for code, name in MEFS:
        mefs.write(
            request(
                "categorieStructure",
                "MefEducNat",
                code,
                [attr("ENTMefJointure", code), attr("ENTLibelleMef", name)],
            )
        )
        written["MefEducNat"] += 1
    mefs.close()

    pupils = FeedWriter(directory, "Eleve", "iso-8859-15", crlf=True)
    relatives = FeedWriter(directory, "PersRelEleve", "iso-8859-15", crlf=True)
    staff = FeedWriter(directory, "PersEducNat", "iso-8859-15", crlf=True)
    for s, (jointure, _uai) in enumerate(school_records(size)):
        n_staff = per_school * 6 // 100
        n_pupils = per_school * 38 // 100
        n_relatives = per_school - n_staff - n_pupils
        classes = [f"{6 - i % 4}{'ABCDEFGH'[i // 4]}" for i in range(max(1, n_pupils // PUPILS_PER_CLASS))]
        # Families: two legal guardians each; what is left of the relatives are non-legal contacts.
        families = []
        r = 0
        p = 0
        while p < n_pupils:
            children = min(rng.choice((1, 1, 1, 2, 2, 3)), n_pupils - p)
            guardians = [f"R{s:03d}{r + i:05d}" for i in range(2) if r + i < n_relatives]
            r += len(guardians)
            families.append((guardians, children))
            p += children
        contacts = [f"R{s:03d}{i:05d}" for i in range(r, n_relatives)]
        relatives_names: dict[str, tuple[str, str]] = {}
        p = 0
        for f, (guardians, children) in enumerate(families):
            last = rng.choice(LAST_NAMES)
            links = [f"{g}${'10' if i == 0 else '20'}$1$1$1$1" for i, g in enumerate(guardians)]
            if contacts and f % 3 == 0:
                contact = contacts[(f // 3) % len(contacts)]
                links.append(f"{contact}$50$0$0$1$0")
            for g in guardians:
                relatives_names[g] = (rng.choice(FIRST_NAMES), last)
            for _child in range(children):
                ident = f"E{s:03d}{p:05d}"
                klass = classes[p % len(classes)]
                mef, mef_name = MEFS[(6 - int(klass[0])) % len(MEFS)]
                first = rng.choice(FIRST_NAMES)
                pupils.write(
                    request(
                        "categoriePersonne",
                        "Eleve",
                        ident,
                        [
                            attr("ENTPersonJointure", ident),
                            attr("ENTEleveINE", f"{s:03d}{p:06d}AB"),
                            attr("ENTEleveStructRattachId", jointure),
                            attr("ENTPersonDateNaissance", birth(rng, 2013 + int(klass[0]) - 6)),
                            attr("ENTPersonNomPatro", last),
                            attr("sn", last),
                            attr("givenName", first),
                            attr("ENTPersonAutresPrenoms", first),
                            attr("personalTitle", rng.choice(("M.", "Mme"))),
                            attr("ENTElevePersRelEleve", *links),
                            attr("ENTEleveBoursier", rng.choice("NO")),
                            attr(
                                "ENTEleveRegime",
                                rng.choice(("EXTERNE LIBRE", "DEMI-PENSIONNAIRE DANS L'ETABLISSEMENT")),
                            ),
                            attr("ENTEleveTransport", "N"),
                            attr("ENTPersonAdresse", f"{rng.randint(1, 120)} rue des Écoles$$$"),
                            attr("ENTPersonCodePostal", f"59{rng.randint(100, 999)}"),
                            attr("ENTPersonVille", f"VILLE {jointure}"),
                            attr("ENTPersonPays", "FRANCE"),
                            attr("ENTEleveAdresseRel", guardians[0] if guardians else ""),
                            attr("ENTEleveStatutEleve", "SCOLAIRE"),
                            attr("ENTEleveMEF", mef),
                            attr("ENTEleveLibelleMEF", mef_name),
                            attr("ENTEleveNivFormation", mef_name),
                            attr("ENTEleveFiliere", "COLLEGE"),
                            attr("ENTEleveEnseignements", "ANGLAIS LV1"),
                            attr("ENTEleveCodeEnseignements", "030201"),
                            attr("ENTPersonStructRattach", jointure),
                            attr("ENTEleveDateEntreeClasses", f"{jointure}$01/09/2026${klass}"),
                            attr("ENTEleveDateSortieClasses"),
                            attr("ENTEleveClasses", f"{jointure}${klass}"),
                            attr("ENTEleveGroupes", f"{jointure}${klass}-{rng.choice(('ESP', 'ALL'))}"),
                        ],
                    )
                )
                written["Eleve"] += 1
                p += 1
        for ident in contacts:
            relatives_names[ident] = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        for ident, (first, last) in relatives_names.items():
            relatives.write(
                request(
                    "categoriePersonne",
                    "PersRelEleve",
                    ident,
                    [
                        attr("ENTPersonJointure", ident),
                        attr("sn", last),
                        attr("givenName", first),
                        attr("ENTPersonAutresPrenoms"),
                        attr("personalTitle", rng.choice(("M.", "Mme"))),
                        attr("ENTPersonAdresse", f"{rng.randint(1, 120)} rue des Écoles$$$"),
                        attr("ENTPersonCodePostal", f"59{rng.randint(100, 999)}"),
                        attr("ENTPersonVille", f"VILLE {jointure}"),
                        attr("ENTPersonPays", "FRANCE"),
                        attr("homePhone", f"03{rng.randint(10_000_000, 99_999_999)}"),
                        attr("mobile"),
                        attr("mail"),
                    ],
                )
            )
            written["PersRelEleve"] += 1
        for t in range(n_staff):
            ident = f"P{s:03d}{t:04d}"
            function = STAFF_FUNCTIONS[t] if t < len(STAFF_FUNCTIONS) else None
            attrs = [
                attr("ENTPersonJointure", ident),
                attr("sn", rng.choice(LAST_NAMES)),
                attr("givenName", rng.choice(FIRST_NAMES)),
                attr("ENTPersonDateNaissance", birth(rng, rng.randint(1965, 1998))),
                attr("personalTitle", rng.choice(("M.", "Mme"))),
                attr("ENTPersonStructRattach", jointure),
            ]
            if function is None:
                code, name = SUBJECTS[t % len(SUBJECTS)]
                taught = rng.sample(classes, min(len(classes), rng.randint(3, 6)))
                attrs += [
                    attr("ENTPersonProfils", "National_ENS"),
                    attr("ENTPersonFonctions", f"{jointure}$ENS$ENSEIGNEMENT$L{code[:4]}${name}"),
                    attr("ENTAuxEnsClassesMatieres", *(f"{jointure}${c}${code}" for c in taught)),
                    attr("ENTAuxEnsGroupesMatieres", f"{jointure}${taught[0]}-ESP$030602")
                    if code == "030602"
                    else attr("ENTAuxEnsGroupesMatieres"),
                    attr("ENTAuxEnsClasses", *(f"{jointure}${c}" for c in taught)),
                    attr("ENTAuxEnsMatiereEnseignEtab", f"{jointure}${code}"),
                ]
            else:
                code, name, profile = function
                attrs += [
                    attr("ENTPersonProfils", profile),
                    attr("ENTPersonFonctions", f"{jointure}${code}${name}"),
                    attr("ENTAuxEnsClassesMatieres"),
                    attr("ENTAuxEnsGroupesMatieres"),
                ]
            staff.write(request("categoriePersonne", "PersEducNat", ident, attrs))
            written["PersEducNat"] += 1
    for writer in (pupils, relatives, staff):
        writer.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    written = generate(args.directory, args.persons, args.seed)
    print(written)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
