"""Fictional place names for the demo's local authorities and neighbourhoods.

Owns the name pools (stems, endings, qualifiers, neighbourhood places), the
list of real English LA names the generator must never produce, and the two
name makers. Names are drawn from the caller's random stream, so the caller's
draw order is part of what makes the data reproducible.
"""

from __future__ import annotations

import numpy as np

_NAME_STEMS = (
    "Ash", "Bram", "Brock", "Cal", "Carr", "Cold", "Cran", "Dun", "Elm", "Fair",
    "Fen", "Fox", "Gos", "Hart", "Hazel", "Hol", "Kel", "Kings", "Lang", "Lark",
    "Lind", "Marl", "Mere", "Mill", "Nor", "Oak", "Orm", "Pen", "Pol", "Quen",
    "Rad", "Raven", "Red", "Rook", "Rush", "Sand", "Shel", "Stan", "Tam", "Thorn",
    "Wel", "Wend", "Whit", "Wick", "Willow", "Wor", "Yar", "Castle", "Bar", "Ber",
    "Dray", "Ebb", "Gar", "Hum", "Lox", "Mor", "Ned", "Ock", "Sel", "Tud", "Ver",
    "Alder", "Birch", "Bel", "Cher", "Dal", "Ember", "Frith", "Glen", "Heron",
)  # fmt: skip
_NAME_ENDINGS = (
    "bridge", "moor", "bury", "ford", "ham", "ton", "field", "ley", "wick",
    "stead", "worth", "dale", "combe", "mouth", "by", "thorpe", "minster",
    "chester", "hurst", "well", "den", "mere", "borough", "cliffe", "gate",
    "holme", "marsh", "wood", "brook", "caster",
)  # fmt: skip
_NAME_QUALIFIERS = ("North", "South", "East", "West", "Upper", "Great", "Mid")
_NEIGHBOURHOOD_PLACES = (
    "Mill Lane", "Church End", "Station Road", "Old Town", "Riverside",
    "Market Square", "Canal Side", "High Street", "Park View", "Bridge End",
    "Hill Top", "Green Lanes", "The Meadows", "Orchard Way", "Quarry Bank",
    "Forge Lane", "Harbour Side", "Abbey Fields", "Castle Hill", "Windmill Hill",
    "Brook Farm", "Kiln Lane", "Tannery Row", "Chapel Fields", "Ropewalk",
)  # fmt: skip
_NEIGHBOURHOOD_SUFFIXES = ("Park", "Green", "Heath", "Estate", "Village", "Hill", "Vale", "Common")

# Real English LA names (and short forms) the name generator must never produce.
_REAL_LA_NAMES = frozenset(
    name.strip().lower()
    for name in """
    Barking and Dagenham, Barnet, Bexley, Brent, Bromley, Camden, City of London, Croydon,
    Ealing, Enfield, Greenwich, Hackney, Hammersmith and Fulham, Haringey, Harrow, Havering,
    Hillingdon, Hounslow, Islington, Kensington and Chelsea, Kingston upon Thames, Lambeth,
    Lewisham, Merton, Newham, Redbridge, Richmond upon Thames, Southwark, Sutton,
    Tower Hamlets, Waltham Forest, Wandsworth, Westminster, Bolton, Bury, Manchester, Oldham,
    Rochdale, Salford, Stockport, Tameside, Trafford, Wigan, Knowsley, Liverpool, St Helens,
    Sefton, Wirral, Barnsley, Doncaster, Rotherham, Sheffield, Gateshead,
    Newcastle upon Tyne, North Tyneside, South Tyneside, Sunderland, Birmingham, Coventry,
    Dudley, Sandwell, Solihull, Walsall, Wolverhampton, Bradford, Calderdale, Kirklees, Leeds,
    Wakefield, Hartlepool, Middlesbrough, Redcar and Cleveland, Stockton-on-Tees, Darlington,
    County Durham, Durham, Northumberland, Halton, Warrington, Blackburn with Darwen,
    Blackpool, Cheshire East, Cheshire West and Chester, Cumberland,
    Westmorland and Furness, Kingston upon Hull, Hull, East Riding of Yorkshire,
    North East Lincolnshire, North Lincolnshire, York, North Yorkshire, Derby, Leicester,
    Rutland, Nottingham, North Northamptonshire, West Northamptonshire, Herefordshire,
    Telford and Wrekin, Stoke-on-Trent, Shropshire, Bath and North East Somerset, Bristol,
    North Somerset, South Gloucestershire, Plymouth, Torbay, Swindon, Wiltshire, Cornwall,
    Isles of Scilly, Dorset, Bournemouth Christchurch and Poole, Somerset, Peterborough,
    Luton, Southend-on-Sea, Thurrock, Bedford, Central Bedfordshire, Milton Keynes,
    Brighton and Hove, Portsmouth, Southampton, Isle of Wight, Medway, Bracknell Forest,
    West Berkshire, Reading, Slough, Windsor and Maidenhead, Wokingham, Buckinghamshire,
    Allerdale, Barrow-in-Furness, Carlisle, Copeland, Eden, South Lakeland, Burnley, Chorley,
    Fylde, Hyndburn, Lancaster, Pendle, Preston, Ribble Valley, Rossendale, South Ribble,
    West Lancashire, Wyre, Craven, Hambleton, Harrogate, Richmondshire, Ryedale,
    Scarborough, Selby, Amber Valley, Bolsover, Chesterfield, Derbyshire Dales, Erewash,
    High Peak, North East Derbyshire, South Derbyshire, Blaby, Charnwood, Harborough,
    Hinckley and Bosworth, Melton, North West Leicestershire, Oadby and Wigston, Boston,
    East Lindsey, Lincoln, North Kesteven, South Holland, South Kesteven, West Lindsey,
    Ashfield, Bassetlaw, Broxtowe, Gedling, Mansfield, Newark and Sherwood, Rushcliffe,
    Cannock Chase, East Staffordshire, Lichfield, Newcastle-under-Lyme, Newcastle,
    South Staffordshire, Stafford, Staffordshire Moorlands, Tamworth, North Warwickshire,
    Nuneaton and Bedworth, Rugby, Stratford-on-Avon, Warwick, Bromsgrove, Malvern Hills,
    Redditch, Worcester, Wychavon, Wyre Forest, Cambridge, East Cambridgeshire, Fenland,
    Huntingdonshire, South Cambridgeshire, Basildon, Braintree, Brentwood, Castle Point,
    Chelmsford, Colchester, Epping Forest, Harlow, Maldon, Rochford, Tendring, Uttlesford,
    Broxbourne, Dacorum, Hertsmere, North Hertfordshire, St Albans, Stevenage, Three Rivers,
    Watford, Welwyn Hatfield, East Hertfordshire, Breckland, Broadland, Great Yarmouth,
    King's Lynn and West Norfolk, North Norfolk, Norwich, South Norfolk, Babergh,
    East Suffolk, Ipswich, Mid Suffolk, West Suffolk, Eastbourne, Hastings, Lewes, Rother,
    Wealden, Basingstoke and Deane, East Hampshire, Eastleigh, Fareham, Gosport, Hart,
    Havant, New Forest, Rushmoor, Test Valley, Winchester, Ashford, Canterbury, Dartford,
    Dover, Folkestone and Hythe, Gravesham, Maidstone, Sevenoaks, Swale, Thanet,
    Tonbridge and Malling, Tunbridge Wells, Cherwell, Oxford, South Oxfordshire,
    Vale of White Horse, West Oxfordshire, Elmbridge, Epsom and Ewell, Guildford,
    Mole Valley, Reigate and Banstead, Runnymede, Spelthorne, Surrey Heath, Tandridge,
    Waverley, Woking, Adur, Arun, Chichester, Crawley, Horsham, Mid Sussex, Worthing,
    East Devon, Exeter, Mid Devon, North Devon, South Hams, Teignbridge, Torridge,
    West Devon, Cheltenham, Cotswold, Forest of Dean, Gloucester, Stroud, Tewkesbury,
    Mendip, Sedgemoor, Somerset West and Taunton, South Somerset, Corby, Daventry,
    East Northamptonshire, Kettering, Northampton, South Northamptonshire, Wellingborough,
    Aylesbury Vale, Chiltern, South Bucks, Wycombe, Christchurch, East Dorset, North Dorset,
    Purbeck, West Dorset, Weymouth and Portland, Forest Heath, St Edmundsbury,
    Suffolk Coastal, Waveney, Kingston, Kingswood, Thornbury, Selby, Whitby, Oakham
    """.replace("\n", " ").split(",")
)


def la_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` unique fictional place names, none a real LA name."""
    stems = [
        s + e
        for s in _NAME_STEMS
        for e in _NAME_ENDINGS
        if (s + e).lower() not in _REAL_LA_NAMES and s[-1] != e[0]
    ]
    chosen = rng.permutation(len(stems))
    names: list[str] = []
    used: set[str] = set()
    extra = iter(chosen[n:].tolist() + chosen[:n].tolist())
    for i in range(n):
        stem = stems[chosen[i % len(stems)]]
        u = rng.random()
        if u < 0.14:
            name = f"{_NAME_QUALIFIERS[rng.integers(len(_NAME_QUALIFIERS))]} {stem}"
        elif u < 0.20:
            name = f"{stem} and {stems[next(extra)]}"
        else:
            name = stem
        while name in used or name.lower() in _REAL_LA_NAMES:
            name = f"{stems[next(extra)]}"
        used.add(name)
        names.append(name)
    return names


def neighbourhood_names(la_name: str, n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct neighbourhood names for the LA ``la_name``.

    Drawn from the LA's own name with a compass point, common English place
    names and coined ones (stem + ending + suffix).
    """
    base = la_name.split(" and ")[0].split(" ")[-1]
    coined = [
        f"{_NAME_STEMS[i]}{_NAME_ENDINGS[j]} {_NEIGHBOURHOOD_SUFFIXES[k]}"
        for i, j, k in zip(
            rng.integers(len(_NAME_STEMS), size=n),
            rng.integers(len(_NAME_ENDINGS), size=n),
            rng.integers(len(_NEIGHBOURHOOD_SUFFIXES), size=n),
            strict=True,
        )
    ]
    pool = [f"{base} Central", f"{base} North", f"{base} South", f"{base} East", f"{base} West"]
    pool += list(_NEIGHBOURHOOD_PLACES) + coined
    names: list[str] = []
    for i in rng.permutation(len(pool)):
        if pool[i] not in names:
            names.append(pool[i])
        if len(names) == n:
            break
    return names
