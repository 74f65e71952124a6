"""Country names that are also ordinary words, given names or US states (our list: the ambiguity is
linguistic, no data package records it). Used by :mod:`nlp.entities` and :mod:`nlp.countries`."""

ALSO_WORDS: dict[str, str] = {"turkey": "TR", "china": "CN", "chad": "TD", "niger": "NE", "guinea": "GN",
                              "jordan": "JO", "georgia": "GE", "panama": "PA", "chile": "CL", "togo": "TG",
                              "cuba": "CU", "mali": "ML"}
