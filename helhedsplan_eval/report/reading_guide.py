"""The reading guide "Sådan læses status", the notebooks' and the front page's (report.board.STATUS_GUIDE).

A module of its own, importing nothing: report.pdf, which every worker of a run imports to lay out its part of the
PDF pack, leaves the guide out of the area pages' parts and needs the text, but not the board's building blocks
(pandas, matplotlib: about 0,65 CPU-seconds per worker process to import).
"""

STATUS_GUIDE = """**Sådan læses status**

- **Opfyldt** / **Ikke opfyldt**: målet er nået / ikke nået. For mål, der gælder hvert år, vurderes året for sig; for mål over en periode er svaret endeligt, når perioden er slut.
- **På vej** / **Ikke på vej**: perioden er ikke slut. Vurderingen sammenligner det opnåede med målstien: *på vej* kræver mindst 95 % af den fremgang, der skulle være nået på dette tidspunkt (samme metode som Statistics Canada og Open SDG bruger).
- **Afventer data**: tallene, vurderingen kræver, er ikke leveret. Manglende år tælles aldrig som 0.
- **Ikke aktuel endnu**: kriteriet kan ikke vurderes i år (perioden er ikke begyndt, målingen eller fristen ligger senere).
- **Skjult**: tallet bygger på så få personer (færre end rapportens grænse, normalt 5), at det ville kunne afsløre enkeltpersoner; det vises derfor ikke og vurderes ikke. Det betyder ikke, at data mangler.
- **Kan ikke vurderes**: tallet findes, men kan ikke bruges til en pålidelig vurdering (fx når vægtningen af en spørgeskemaundersøgelse ikke lykkes); årsagen står ved kriteriet.
- **Indgår i …**: kriteriet opgøres pr. enhed (fx afdeling) og vurderes ikke for sig; det kriterium, det indgår i, tæller de enheder, der opfylder flere af kriterierne. Tallet er summen for hele området.
- **(usikkert)**: tallene er så små, at den statistiske usikkerhed (95 %-interval) omfatter målet.
- Kvalitative kriterier viser den registrerede vurdering med begrundelse og dokumentation.

Farverne gentager kun teksten; status står altid med ord.
"""
