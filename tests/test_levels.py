"""Levels that mean kinds of news: critical is violence, warning serious tension,
and look-alikes stay quiet, in every language block of the shipped watch.

Every sentence here was written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SHIPPED_WATCH

from monitor.config import WatchConfig
from monitor.config.yamlfile import load_yaml
from monitor.models import Article, Score
from monitor.rules.compile import compile_watches
from monitor.rules.score import held_below, score

TOY: dict[str, Any] = {
    "name": "t",
    "scope": {"any": ["Kosovo"]},
    "title_boost": 1,
    "levels": {"notice": 4, "warning": 8, "critical": 14},
    "signals": [
        {"name": "shooting", "weight": 9, "any": ["shooting", "gunfire"]},
        {"name": "protest", "weight": 5, "any": ["protest*", "barricade*"], "up_to": "warning"},
        {"name": "talks", "weight": -3, "any": ["talks"], "up_to": "warning"},
        {"name": "lifted", "weight": -6, "any": ["lifted"]},
    ],
}


def toy(text: str) -> Score:
    watch = WatchConfig.model_validate(TOY)
    return score(Article("g", None, None, "", text, None, "h"), compile_watches([watch]))[0]


@pytest.mark.parametrize(
    ("text", "score_", "level"),
    [
        # A heap of tension words scores high but stops at warning.
        # (three hits count: max_hits), past the critical threshold.
        ("Kosovo protests, barricades, protesters, barricades", 15, "warning"),
        # Violence counts toward every level: two shootings make critical...
        ("Kosovo shooting and gunfire", 18, "critical"),
        # ... and one shooting with tension words does not.
        ("Kosovo shooting at the protest by the barricades", 19, "warning"),
        # Talks (up to warning) lower tension but do not talk violence down.
        ("Kosovo shooting, gunfire, talks", 15, "critical"),
        ("Kosovo protest, barricades, talks", 7, "notice"),
        # A stand-down with no up_to counts against every level.
        ("Kosovo shooting, gunfire, then the alert was lifted", 12, "warning"),
    ],
)
def test_a_signals_up_to_caps_the_level_its_points_reach(
    text: str, score_: float, level: str
) -> None:
    result = toy(text)
    assert (result.score, result.level) == (score_, level)


def test_a_signals_at_most_holds_the_level_down_and_says_which_signal_did() -> None:
    watch = WatchConfig.model_validate(
        {**TOY, "signals": [*TOY["signals"],
                            {"name": "funeral", "weight": 0, "any": ["funeral"], "in": "title",
                             "at_most": "warning"}]}
    )  # fmt: skip
    matcher = compile_watches([watch])

    def scored(title: str, text: str) -> Score:
        return score(Article("g", None, None, title, text, None, "h"), matcher)[0]

    retold = scored("Funeral in Kosovo", "the shooting, the gunfire, more gunfire")
    assert (retold.score, retold.level, retold.capped_by) == (27, "warning", "funeral")
    # Only in the title (in: title), and only when it lowers the level.
    assert scored("Kosovo", "funeral after the shooting and gunfire").level == "critical"
    quiet = scored("Funeral in Kosovo", "a protest")
    assert (quiet.level, quiet.capped_by) == ("notice", None)
    # A negated hit caps nothing.
    assert scored("No funeral in Kosovo", "shooting and gunfire").level == "critical"


def test_a_level_held_below_the_score_says_which_signals_stopped_short() -> None:
    watch = compile_watches([WatchConfig.model_validate(TOY)]).watches[0]
    heap = toy("Kosovo protests, barricades, protesters, barricades")
    assert held_below(heap, watch) == (
        "not critical: critical needs 14 points of the signals that count toward it, "
        "0 here (protest up to warning)"
    )
    assert held_below(toy("Kosovo shooting and gunfire"), watch) is None  # critical: all said


def test_up_to_defaults_to_every_level() -> None:
    watch = WatchConfig.model_validate(TOY)
    assert watch.signals[0].up_to == "critical"
    assert watch.signals[1].up_to == "warning"


def test_an_unknown_up_to_is_a_config_error() -> None:
    bad = {**TOY, "signals": [{"name": "x", "weight": 1, "any": ["x"], "up_to": "severe"}]}
    with pytest.raises(ValueError, match="up_to"):
        WatchConfig.model_validate(bad)


SHIPPED = WatchConfig.model_validate(load_yaml(SHIPPED_WATCH)[0].data)
MATCHER = compile_watches([SHIPPED])
ORDER = (None, "notice", "warning", "critical")


def shipped(title: str, text: str) -> Score:
    return score(Article("g", None, None, title, text, None, "h"), MATCHER)[0]


# (language, kind, title, text): "violence" must score critical, "tension"
# warning (not critical), "quiet" below warning. Each sentence is in scope
# (it names Kosovo and the Serbian side).
CASES = [
    ("en", "violence", "Gunfire and explosions in Zvečan, two police officers wounded",
     "Masked men opened fire on a Kosovo police patrol near the Serb-run municipality."),
    ("en", "tension", "Kosovo Serbs walk out: mass resignations of mayors and police",
     "Serb mayors and officers quit the institutions; Belgrade called it the only answer."),
    ("en", "tension", "Serbia bans Kosovo goods and closes two crossings",
     "Belgrade announced a ban on imports from Kosovo and closed the crossings at Jarinje."),
    ("en", "quiet", "Serbian army chief meets KFOR commander",
     "The meeting in Belgrade discussed cooperation and the situation in Kosovo."),
    ("en", "quiet", "Car crash near Mitrovica leaves two dead",
     "Two Serbs from Kosovo died in a traffic accident on the road to Raška."),
    ("en", "quiet", "Serbia lifts combat readiness of troops near Kosovo",
     "The army's combat readiness was lifted and the soldiers went back to barracks."),
    ("sr", "violence", "Pucnjava u Zvečanu, ranjena dva policajca",
     "Naoružani maskirani ljudi otvorili su vatru na patrolu kosovske policije; Srbi u strahu."),
    ("sr", "tension", "Kosovska policija preuzela zgradu opštine, Srbi na barikadama",
     "Specijalci su zauzeli zgradu opštine u Zvečanu; Srbi blokirali puteve."),
    ("sr", "quiet", "Požar u kući u Severnoj Mitrovici, nema povređenih",
     "Vatra je izbila zbog kratkog spoja; vatrogasci Kosova i Srbi iz komšiluka ugasili su je."),
    ("sq", "violence", "Të shtëna në Zveçan, plagosen dy policë",
     "Persona të armatosur hapën zjarr ndaj policisë së Kosovës; serbët bllokuan rrugët."),
    ("sq", "quiet", "Aksident trafiku në Mitrovicë, një i vdekur",
     "Një serb nga Kosova humbi jetën në aksident trafiku."),
    ("ru", "violence", "Перестрелка в Косово: ранены двое полицейских",
     "Вооруженные люди открыли огонь по полиции Косово у границы с Сербией."),
    ("ru", "tension", "Сербы Косово вышли из институтов, массовые отставки",
     "Сербы на севере Косова строят баррикады и блокируют дороги; Белград вводит запрет."),
    ("uk", "violence", "Стрілянина у Косово: поранено двох поліцейських",
     "Озброєні люди відкрили вогонь по поліції Косово біля кордону з Сербією."),
    ("bg", "violence", "Престрелка в Косово, ранени полицаи",
     "Въоръжени мъже откриха огън срещу полицията на Косово край границата със Сърбия."),
    ("mk", "violence", "Пукотници во Косово, ранети полицајци",
     "Вооружени лица отворија оган врз косовската полиција, а Србите блокираа патишта."),
    ("el", "violence", "Πυροβολισμοί στο Κόσοβο, τραυματίστηκαν αστυνομικοί",
     "Ένοπλοι άνοιξαν πυρ κατά της αστυνομίας του Κοσόβου κοντά στα σύνορα με τη Σερβία; "
     "συγκρούσεις με Σέρβους."),
    ("tr", "violence", "Kosova'da silahlı saldırı: iki polis yaralandı",
     "Maskeli silahlı kişiler Sırp bölgesinde Kosova polisine ateş açtı; çatışma çıktı."),
    ("es", "violence", "Tiroteo en Kosovo: dos policías heridos",
     "Hombres armados abrieron fuego contra la policía de Kosovo cerca de la frontera con Serbia."),
    ("pt", "violence", "Tiroteio no Kosovo: dois polícias feridos",
     "Homens armados abriram fogo contra a polícia do Kosovo perto da fronteira com a Sérvia."),
    ("ro", "violence", "Schimb de focuri în Kosovo, doi polițiști răniți",
     "Bărbați înarmați au deschis focul asupra poliției din Kosovo lângă granița cu Serbia."),
    ("cs", "violence", "Přestřelka v Kosovu, dva policisté zraněni",
     "Ozbrojení muži zahájili palbu na kosovskou policii u hranice se Srbskem."),
    ("sk", "violence", "Prestrelka v Kosove, dvaja policajti zranení",
     "Ozbrojení muži spustili paľbu na kosovskú políciu pri hranici so Srbskom."),
    ("es", "tension", "Serbia prohíbe la entrada de productos de Kosovo",
     "Belgrado anunció la prohibición y los serbios levantaron barricadas en el norte."),
    ("de", "quiet", "Gedenken an die Opfer: Serben im Kosovo legen Kränze nieder",
     "Zum Jahrestag gedachten Serben und Vertreter Belgrads der Toten."),
    ("sr", "quiet", "Parastos za ubijene Srbe u Starom Gracku",
     "Na godišnjicu ubistva četrnaest žetelaca Srbi sa Kosova položili su vence i odali poštu žrtvama."),
    ("sr", "quiet", "Saobraćajna nesreća kod Zvečana, jedna osoba poginula",
     "U sudaru dva automobila na putu prema Kosovskoj Mitrovici poginuo je vozač, dvoje je povređeno."),
    ("sr", "quiet", "Poplave na severu Kosova, Ibar izlio",
     "Zbog obilnih kiša Ibar se izlio u Zvečanu; ugroženo je nekoliko srpskih kuća."),
    ("sr", "quiet", "Uhapšen diler droge u Kosovskoj Mitrovici",
     "Policija je kod mladića iz Srbije pronašla marihuanu i nož."),
    ("sr", "quiet", "Načelnik Generalštaba Vojske Srbije sa komandantom KFOR-a",
     "Razgovarali su o bezbednosnoj situaciji na Kosovu i saradnji Vojske Srbije i KFOR-a."),
    ("sr", "quiet", "Pušteni uhapšeni srpski policajci",
     "Trojica policajaca sa Kosova koje je uhapsila Srbija pušteni su na slobodu."),
    ("sr", "quiet", "Uklonjene barikade na severu Kosova",
     "Srbi su uklonili barikade kod Rudara, putevi ka Jarinju su ponovo otvoreni."),
    ("sr", "tension", "Kosovska policija ušla u zgrade opština na severu",
     "Specijalne jedinice preuzele su zgrade opština u Zvečanu i Leposaviću, Srbi protestuju."),
    ("sr", "tension", "Srbija uhapsila tri kosovska policajca",
     "Kosovska policija tvrdi da su uhapšeni na teritoriji Kosova, Beograd optužuje za provokaciju."),
    ("sq", "tension", "Serbët bojkotojnë zgjedhjet në veri të Kosovës",
     "Lista Serbe bëri thirrje për bojkot të zgjedhjeve dhe dorëheqje masive nga institucionet."),
    ("ru", "quiet", "Армия Сербии отменила повышенную боеготовность",
     "Президент Сербии отменил боевую готовность войск у границы с Косово."),
    ("ru", "violence", "Столкновения на севере Косова: ранены солдаты КФОР",
     "Сербы бросали камни и бутылки в солдат, полиция применила слезоточивый газ, десятки раненых."),
    ("el", "quiet", "Τροχαίο στο Κόσοβο με δύο νεκρούς Σέρβους",
     "Δύο Σέρβοι σκοτώθηκαν σε τροχαίο ατύχημα κοντά στη Μιτρόβιτσα."),
    ("tr", "quiet", "Sırbistan ve Kosova arasında anlaşma",
     "Brüksel'deki müzakerelerde anlaşma sağlandı, gerginlik azaldı."),
    ("es", "quiet", "Accidente de tráfico en Kosovo: dos serbios muertos",
     "Dos serbios murieron en un accidente de tráfico cerca de Mitrovica."),
    ("ar", "violence", "اشتباكات في شمال كوسوفو وإصابة جنود",
     "أطلق مسلحون النار على الشرطة في ميتروفيتسا وأصيب عدد من الجنود في مواجهات مع الصرب."),
    ("ar", "tension", "صرب كوسوفو يقاطعون الانتخابات",
     "أعلن الصرب في شمال كوسوفو مقاطعة الانتخابات واحتجاجات ومتظاهرون على الطرق."),
    ("ar", "quiet", "اتفاق بين صربيا وكوسوفو",
     "توصل الطرفان إلى اتفاق بعد مفاوضات في بروكسل."),
    # The aftermath in the headline: the text retells the attack, the news is the claim or the funeral.
    ("en", "tension", "Serb group claimed responsibility for the Zvečan ambush",
     "Gunmen opened fire on Kosovo police; one officer was killed and two were wounded in the shootout."),
    ("sr", "tension", "Sahranjen policajac ubijen u napadu kod Zvečana",
     "Naoružani ljudi otvorili su vatru na patrolu; u pucnjavi je ubijen policajac, dvojica ranjena."),
    ("sq", "tension", "Grupi serb mori përgjegjësinë për sulmin në Zveçan",
     "Persona të armatosur hapën zjarr ndaj policisë së Kosovës; një polic u vra, dy u plagosën."),
    ("fr", "tension", "Obsèques du policier tué au Kosovo",
     "Des hommes armés ont ouvert le feu sur la police du Kosovo près de la frontière serbe; "
     "un policier a été tué, deux blessés."),
    # Beatings are attacks on people (a stabbing alone may be ordinary crime).
    ("en", "violence", "Two Kosovo Serb teenagers beaten by a group in Gračanica",
     "A group attacked them near the Serbian school; both were injured."),
    ("sr", "violence", "Pretučena dva srpska mladića kod Gračanice",
     "Grupa ih je napala kod srpske škole na Kosovu; obojica su povređena."),
    ("sq", "violence", "Dy të rinj serbë u rrahën në Graçanicë",
     "Një grup i sulmoi pranë shkollës serbe në Kosovë; të dy u dërguan në spital."),
    # Control handed over, not taken.
    ("en", "quiet", "Kosovo special police handed over the crossings to KFOR",
     "The units handed over control of the two crossings on the line with Serbia."),
    ("sl", "quiet", "Kosovski specialci predali nadzor prehodov Kforju",
     "Specialne enote so predale nadzor dveh prehodov na meji s Srbijo."),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "kind", "title", "text"), CASES)
def test_the_shipped_watch_reads_the_kind_of_news_in_every_language(
    lang: str, kind: str, title: str, text: str
) -> None:
    result = shipped(title, text)
    assert result.in_scope, result.scope_miss
    level = ORDER.index(result.level)
    hits = [(hit.signal, hit.text, hit.points) for hit in result.hits if hit.points]
    if kind == "violence":
        assert result.level == "critical", hits
    elif kind == "tension":
        assert result.level == "warning", hits
    else:
        assert level < ORDER.index("warning"), hits


def test_the_ibar_is_named_in_its_cases_but_not_in_a_surname() -> None:
    river = shipped("Kosovo: most na Ibru ponovo zatvoren", "Srbi protestuju kod Ibra.")
    assert "Ibar" in river.places
    assert "Ibar" in shipped("Kosovo: ura e Ibrit", "Serbët protestojnë.").places
    # A Bosnian surname is not the river: with neither Kosovo nor its places named,
    # an attack on police elsewhere in the region is out of the watch's scope.
    elsewhere = shipped(
        "Napad na policijsku stanicu u Zvorniku", "Napadač Edin Ibrić pucao je na policajce Srpske."
    )
    assert not elsewhere.in_scope


# A violence word with a negator a few words before it, in the languages added
# after the first ones: "no one was injured", "nobody was wounded".
NEGATED = [
    ("ru", "Никто не пострадал, раненых нет"),
    ("bg", "Никой не е ранен"),
    ("el", "Κανένας τραυματίας"),
    ("tr", "Hiçbir yaralı yok"),
    ("es", "Ningún herido"),
    ("pt", "Nenhum ferido"),
    ("ro", "Niciun rănit"),
    ("cs", "Nikdo nebyl zraněn"),
    ("sk", "Nikto nebol zranený"),
    ("nordic", "Ingen skadde"),
    ("ar", "لم تسجل إصابات"),
]


@pytest.mark.parametrize(("lang", "sentence"), NEGATED)
def test_a_negated_injury_counts_for_nothing_in_every_language(lang: str, sentence: str) -> None:
    result = shipped("Kosovo, Serbia", sentence)
    injuries = [hit for hit in result.hits if hit.signal == "clashes"]
    assert injuries, f"{lang}: no clashes term matched {sentence!r}"
    assert all(hit.negated for hit in injuries), (lang, injuries)


def test_words_that_look_like_places_or_weapons_leave_an_article_out() -> None:
    # A banjo is not Banje, a bombshell is not a bomb, miners are not Rudare.
    podcast = shipped("Bombcast 12: the banjo episode", "A bombshell of a show about banjos.")
    assert not podcast.in_scope
    miners = shipped("Rudari u štrajku", "Rudari rudnika kod Kraljeva traže veće plate.")
    assert not miners.in_scope
    report = shipped(
        "A bombshell report on Kosovo", "Serbia and Kosovo argued over it in Brussels."
    )
    assert not any(hit.signal == "armed-violence" for hit in report.hits)
    # Every list is matched against every article: no other language's word may be
    # an English one once folded (Hungarian lövés is "loves", Norwegian hot "hot").
    english = shipped(
        "Kosovo and Serbia: a hot summer",
        "She loves StarCraft and Valkyria; bombast from Belgrade, a banjo in Pristina.",
    )
    assert english.hits == ()
    # Nor in another language: Portuguese "bom" (good) is no Dutch bomb, Dutch "tot"
    # (until) no German death, Hungarian "minden" (every) no Danish commemoration,
    # Spanish "vence" (wins) no wreath, French "soudain" (suddenly) no Czech court.
    others = shipped(
        "Kosovo e Sérvia: um bom dia",
        "Tot nu toe bij de Serven. Minden szerb. Vence las elecciones en Kosovo. "
        "Soudain, la Serbie.",
    )
    assert others.hits == ()
    # English "war" is German "was": "es war ruhig" is no war rhetoric.
    german = shipped("Kosovo: Die Nacht war ruhig", "Es war still im serbischen Norden.")
    assert not any(hit.signal == "war-rhetoric" for hit in german.hits)
    assert any(
        hit.signal == "war-rhetoric"
        for hit in shipped("Vučić warns of a new war", "Serbia and Kosovo trade threats.").hits
    )
