"""Default regions of the network of national R2P focal points, used to seed the database."""

# A country may belong to more than one region (e.g. Egypt is in both Africa and
# MENA). These are only starting values: administrators edit regions afterwards.
DEFAULT_REGIONS = (
    {
        "key": "africa",
        "name": "Africa",
        "organizations": ["African Union", "ECOWAS", "ICGLR"],
        "countries": [
            "AO", "BF", "BI", "BJ", "BW", "CD", "CF", "CG", "CI", "CM", "CV", "DJ",
            "DZ", "EG", "EH", "ER", "ET", "GA", "GH", "GM", "GN", "GQ", "GW", "KE",
            "KM", "LR", "LS", "LY", "MA", "MG", "ML", "MR", "MU", "MW", "MZ", "NA",
            "NE", "NG", "RW", "SC", "SD", "SL", "SN", "SO", "SS", "ST", "SZ", "TD",
            "TG", "TN", "TZ", "UG", "ZA", "ZM", "ZW",
        ],
    },
    {
        "key": "americas",
        "name": "Americas",
        "organizations": ["Organization of American States"],
        "countries": [
            "AG", "AR", "BB", "BO", "BR", "BS", "BZ", "CA", "CL", "CO", "CR", "CU",
            "DM", "DO", "EC", "GD", "GT", "GY", "HN", "HT", "JM", "KN", "LC", "MX",
            "NI", "PA", "PE", "PY", "SR", "SV", "TT", "US", "UY", "VC", "VE",
        ],
    },
    {
        "key": "asia_pacific",
        "name": "Asia-Pacific",
        "organizations": ["ASEAN"],
        "countries": [
            "AF", "AU", "BD", "BN", "BT", "CN", "FJ", "FM", "ID", "IN", "IR", "JP",
            "KG", "KH", "KI", "KP", "KR", "KZ", "LA", "LK", "MH", "MM", "MN", "MV",
            "MY", "NP", "NR", "NZ", "PG", "PH", "PK", "PW", "SB", "SG", "TH", "TJ",
            "TL", "TM", "TO", "TV", "UZ", "VN", "VU", "WS",
        ],
    },
    {
        "key": "europe",
        "name": "Europe",
        "organizations": ["European Union", "OSCE", "Council of Europe"],
        "countries": [
            "AD", "AL", "AM", "AT", "AZ", "BA", "BE", "BG", "BY", "CH", "CY", "CZ",
            "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GE", "GR", "HR", "HU", "IE",
            "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MD", "ME", "MK", "MT", "NL",
            "NO", "PL", "PT", "RO", "RS", "RU", "SE", "SI", "SK", "SM", "TR", "UA",
            "VA",
        ],
    },
    {
        "key": "mena",
        "name": "Middle East and North Africa",
        "organizations": ["League of Arab States"],
        "countries": [
            "AE", "BH", "DJ", "DZ", "EG", "IL", "IQ", "IR", "JO", "KM", "KW", "LB",
            "LY", "MA", "MR", "OM", "PS", "QA", "SA", "SD", "SO", "SY", "TN", "YE",
        ],
    },
)
