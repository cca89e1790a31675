"""Levels that mean kinds of news: critical is violence, warning serious tension,
and look-alikes stay quiet, in every language block of the shipped watch.

Every sentence here was written for these tests.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FIXTURES, SHIPPED_WATCH

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
    # Every language block, each kind of news: violence, serious tension, and the
    # look-alikes (accidents, de-escalation: barricades removed, officers released,
    # readiness lifted).
    ("de", "violence", "Schüsse in Zvečan: zwei Polizisten verletzt",
     "Maskierte Bewaffnete eröffneten im Norden des Kosovo das Feuer auf eine Polizeistreife; Serben errichteten Barrikaden."),
    ("de", "tension", "Kosovo-Serben boykottieren die Wahlen im Norden",
     "Die Serbische Liste rief zum Boykott auf; serbische Bürgermeister und Polizisten traten massenhaft zurück."),
    # German puts the verb last: "lifted" comes six words after "readiness".
    ("de", "quiet", "Serbien: Armee zurück in den Kasernen",
     "Die erhöhte Kampfbereitschaft an der Grenze zum Kosovo wurde aufgehoben, die Soldaten kehren in die Kasernen zurück."),
    ("de", "quiet", "Verkehrsunfall bei Mitrovica: zwei Tote",
     "Zwei Serben aus dem Kosovo kamen bei einem Autounfall ums Leben."),
    ("it", "violence", "Sparatoria a Zvečan, feriti due agenti",
     "Uomini armati hanno aperto il fuoco contro una pattuglia della polizia kosovara; scontri con i serbi."),
    ("it", "tension", "I serbi del Kosovo boicottano le elezioni",
     "La Lista serba ha chiesto il boicottaggio; dimissioni di massa di sindaci e poliziotti serbi dalle istituzioni."),
    ("it", "quiet", "Incidente stradale vicino a Mitrovica, due morti",
     "Due serbi del Kosovo sono morti in un incidente stradale."),
    ("fr", "violence", "Fusillade à Zvečan : deux policiers blessés",
     "Des hommes armés ont ouvert le feu sur une patrouille de la police du Kosovo ; affrontements avec des Serbes."),
    ("fr", "tension", "Les Serbes du Kosovo boycottent les élections",
     "La Liste serbe appelle au boycott ; démissions massives des maires et policiers serbes."),
    ("fr", "quiet", "Accident de la route près de Mitrovica : deux morts",
     "Deux Serbes du Kosovo sont morts dans un accident de voiture."),
    ("pl", "violence", "Strzelanina w Zveczanie, ranni dwaj policjanci",
     "Uzbrojeni zamaskowani mężczyźni otworzyli ogień do patrolu kosowskiej policji; starcia z Serbami."),
    ("pl", "tension", "Serbowie w Kosowie bojkotują wybory",
     "Lista Serbska wezwała do bojkotu; masowe dymisje serbskich burmistrzów i policjantów."),
    ("pl", "quiet", "Wypadek drogowy koło Mitrowicy, dwie osoby nie żyją",
     "Dwóch Serbów z Kosowa zginęło w wypadku samochodowym."),
    ("sl", "violence", "Streljanje v Zvečanu, ranjena dva policista",
     "Oboroženi zamaskirani moški so odprli ogenj na patruljo kosovske policije; spopadi s Srbi."),
    ("sl", "tension", "Kosovski Srbi bojkotirajo volitve",
     "Srbska lista je pozvala k bojkotu; množični odstopi srbskih županov in policistov."),
    ("sl", "quiet", "Prometna nesreča pri Mitrovici, dva mrtva",
     "Dva Srba s Kosova sta umrla v prometni nesreči."),
    ("nl", "violence", "Schietpartij in Zvečan, twee agenten gewond",
     "Gewapende gemaskerde mannen openden het vuur op een patrouille van de Kosovaarse politie; botsingen met Serviërs."),
    ("nl", "tension", "Kosovaarse Serviërs boycotten de verkiezingen",
     "De Servische Lijst riep op tot een boycot; massaal ontslag van Servische burgemeesters en agenten."),
    ("nl", "quiet", "Verkeersongeluk bij Mitrovica, twee doden",
     "Twee Serviërs uit Kosovo kwamen om bij een auto-ongeluk."),
    ("hu", "violence", "Lövöldözés Zvečanban, két rendőr megsebesült",
     "Fegyveres maszkos férfiak tüzet nyitottak a koszovói rendőrség járőrére; összecsapások a szerbekkel."),
    ("hu", "tension", "A koszovói szerbek bojkottálják a választásokat",
     "A Szerb Lista bojkottra szólított fel; a szerb polgármesterek és rendőrök tömegesen lemondtak."),
    ("hu", "quiet", "Közlekedési baleset Mitrovica közelében, két halott",
     "Két koszovói szerb meghalt egy autóbalesetben."),
    ("sv", "violence", "Skottlossning i Zvečan, två poliser skadade",
     "Beväpnade maskerade män öppnade eld mot en patrull från Kosovos polis; sammandrabbningar med serber."),
    ("sv", "tension", "Kosovoserber bojkottar valet",
     "Serbiska listan uppmanade till bojkott; serbiska borgmästare och poliser avgick i massor."),
    ("sv", "quiet", "Trafikolycka nära Mitrovica, två döda",
     "Två serber från Kosovo omkom i en bilolycka."),
    ("no", "violence", "Skyting i Zvečan, to politifolk skadet",
     "Væpnede maskerte menn åpnet ild mot en patrulje fra Kosovos politi; sammenstøt med serbere."),
    ("da", "violence", "Skyderi i Zvečan, to betjente såret",
     "Bevæbnede maskerede mænd åbnede ild mod en patrulje fra Kosovos politi; sammenstød med serbere."),
    ("uk", "tension", "Серби Косова бойкотують вибори",
     "Сербський список закликав до бойкоту; масові відставки сербських мерів і поліцейських."),
    ("uk", "quiet", "ДТП біля Митровиці: двоє загиблих",
     "Двоє сербів з Косова загинули в автомобільній аварії."),
    ("bg", "tension", "Сърбите в Косово бойкотират изборите",
     "Сръбска листа призова за бойкот; масови оставки на сръбските кметове и полицаи."),
    ("bg", "quiet", "Катастрофа край Митровица, двама загинали",
     "Двама сърби от Косово загинаха при пътна катастрофа."),
    ("mk", "tension", "Србите на Косово ги бојкотираат изборите",
     "Српска листа повика на бојкот; масовни оставки на српските градоначалници и полицајци."),
    ("mk", "quiet", "Сообраќајна несреќа кај Митровица, двајца загинати",
     "Двајца Срби од Косово загинаа во сообраќајна несреќа."),
    ("el", "tension", "Οι Σέρβοι του Κοσόβου μποϊκοτάρουν τις εκλογές",
     "Η Σερβική Λίστα κάλεσε σε μποϊκοτάζ· μαζικές παραιτήσεις Σέρβων δημάρχων και αστυνομικών."),
    ("tr", "tension", "Kosovalı Sırplar seçimleri boykot ediyor",
     "Sırp Listesi boykot çağrısı yaptı; Sırp belediye başkanları ve polisler toplu istifa etti."),
    ("tr", "quiet", "Mitroviça yakınında trafik kazası: iki ölü",
     "Kosovalı iki Sırp trafik kazasında hayatını kaybetti."),
    ("pt", "tension", "Sérvios do Kosovo boicotam as eleições",
     "A Lista Sérvia apelou ao boicote; demissões em massa de autarcas e polícias sérvios."),
    ("pt", "quiet", "Acidente de viação perto de Mitrovica faz dois mortos",
     "Dois sérvios do Kosovo morreram num acidente de viação."),
    ("ro", "tension", "Sârbii din Kosovo boicotează alegerile",
     "Lista Sârbă a cerut boicotarea alegerilor; demisii în masă ale primarilor și polițiștilor sârbi."),
    ("ro", "quiet", "Accident rutier lângă Mitrovica, doi morți",
     "Doi sârbi din Kosovo au murit într-un accident rutier."),
    ("cs", "tension", "Kosovští Srbové bojkotují volby",
     "Srbská kandidátka vyzvala k bojkotu; hromadné rezignace srbských starostů a policistů."),
    ("cs", "quiet", "Dopravní nehoda u Mitrovice, dva mrtví",
     "Dva Srbové z Kosova zemřeli při autonehodě."),
    ("sk", "tension", "Kosovskí Srbi bojkotujú voľby",
     "Srbská kandidátka vyzvala na bojkot; hromadné rezignácie srbských starostov a policajtov."),
    ("sk", "quiet", "Dopravná nehoda pri Mitrovici, dvaja mŕtvi",
     "Dvaja Srbi z Kosova zahynuli pri autonehode."),
    ("sq", "quiet", "Hiqen barrikadat në veri të Kosovës",
     "Serbët hoqën barrikadat në Jarinje, rrugët u hapën sërish."),
    ("sq", "tension", "Policia e Kosovës hyn në ndërtesat e komunave në veri",
     "Njësitë speciale morën ndërtesat e komunave në Zveçan dhe Leposaviq, serbët protestojnë."),
    ("en", "quiet", "Kosovo police officer released by Serbia",
     "Belgrade freed the three Kosovo police officers it had detained; they crossed back at Jarinje."),
    ("en", "quiet", "Barricades removed in north Kosovo",
     "Serbs removed the barricades near Rudare and the roads to Jarinje reopened."),
    ("en", "tension", "Kosovo bans the Serbian dinar in the north",
     "Pristina's central bank ruled the dinar out of cash payments; Serbs in Kosovo fear losing salaries and pensions from Belgrade."),
    ("en", "violence", "Serbian army put on highest combat readiness",
     "Vučić ordered troops to the boundary line with Kosovo after the arrests."),
    ("en", "tension", "Kosovo police storm municipal buildings in the north",
     "Special police units entered the town halls in Zvečan and Leposavić as Serbs protested outside."),
    ("de", "quiet", "Barrikaden im Nordkosovo abgebaut",
     "Die Serben haben die Barrikaden bei Rudare entfernt, die Straßen nach Jarinje sind wieder offen."),
    ("de", "quiet", "Serbien lässt festgenommene Kosovo-Polizisten frei",
     "Die drei Polizisten aus dem Kosovo wurden freigelassen und kehrten über Jarinje zurück."),
    ("de", "tension", "Kosovo-Polizei besetzt Gemeindegebäude im Norden",
     "Spezialeinheiten übernahmen die Rathäuser in Zvečan und Leposavić, Serben protestieren."),
    ("de", "tension", "Kosovo verbietet den serbischen Dinar",
     "Die Zentralbank in Pristina verbietet Barzahlungen in Dinar; Serben im Norden fürchten um Löhne aus Belgrad."),
    ("it", "quiet", "Rimosse le barricate nel nord del Kosovo",
     "I serbi hanno rimosso le barricate vicino a Rudare, le strade verso Jarinje sono di nuovo aperte."),
    ("it", "tension", "La polizia kosovara occupa i municipi del nord",
     "Le unità speciali hanno preso gli edifici comunali di Zvečan e Leposavić, i serbi protestano."),
    ("it", "violence", "Granata contro una stazione di polizia a Mitrovica nord",
     "Un ordigno è esploso davanti alla stazione di polizia; feriti due agenti, i serbi accusano Pristina."),
    ("fr", "quiet", "Les barricades levées dans le nord du Kosovo",
     "Les Serbes ont retiré les barricades près de Rudare ; les routes vers Jarinje sont rouvertes."),
    ("fr", "tension", "Le Kosovo interdit le dinar serbe",
     "La banque centrale à Pristina interdit les paiements en dinars ; les Serbes du nord craignent pour leurs salaires venus de Belgrade."),
    ("fr", "violence", "Explosion près d'un poste de police à Mitrovica",
     "Une grenade a explosé devant le commissariat ; deux policiers blessés, Belgrade et Pristina s'accusent."),
    ("pl", "quiet", "Serbia uwolniła zatrzymanych kosowskich policjantów",
     "Trzej policjanci z Kosowa zostali zwolnieni i wrócili przez Jarinje."),
    ("pl", "tension", "Kosowska policja zajęła budynki gmin na północy",
     "Jednostki specjalne przejęły ratusze w Zveczanie i Leposaviciu, Serbowie protestują."),
    ("ru", "quiet", "Сербы разобрали баррикады на севере Косова",
     "Баррикады у Рударе убраны, дороги к Яринье снова открыты."),
    ("ru", "tension", "Косово запретило сербский динар",
     "Центробанк в Приштине запретил расчеты в динарах; сербы на севере опасаются за зарплаты из Белграда."),
    ("uk", "violence", "Вибух біля поліцейської дільниці в Митровиці",
     "Граната вибухнула біля відділку поліції; двоє поліцейських поранені, Белград і Приштина звинувачують одне одного."),
    ("uk", "quiet", "Серби прибрали барикади на півночі Косова",
     "Барикади біля Рударе прибрано, дороги до Яринє знову відкриті."),
    ("bg", "violence", "Сблъсъци в Звечан, ранени войници от КФОР",
     "Сърби хвърляха камъни по войниците, полицията използва сълзотворен газ."),
    ("mk", "violence", "Судири во Звечан, повредени војници на КФОР",
     "Србите фрлаа камења кон војниците, полицијата употреби солзавец."),
    ("mk", "quiet", "Отстранети барикадите на северот на Косово",
     "Србите ги отстранија барикадите кај Рударе, патиштата кон Јариње се повторно отворени."),
    ("el", "quiet", "Άρθηκαν τα οδοφράγματα στο βόρειο Κόσοβο",
     "Οι Σέρβοι απομάκρυναν τα οδοφράγματα κοντά στη Ρούνταρε και οι δρόμοι άνοιξαν ξανά."),
    ("el", "violence", "Συγκρούσεις στο Ζβέτσαν, τραυματίες στρατιώτες της KFOR",
     "Σέρβοι πετούσαν πέτρες στους στρατιώτες, η αστυνομία έριξε δακρυγόνα."),
    ("tr", "violence", "Zveçan'da çatışma: KFOR askerleri yaralandı",
     "Sırplar askerlere taş attı, polis biber gazı kullandı."),
    ("tr", "quiet", "Kuzey Kosova'da barikatlar kaldırıldı",
     "Sırplar Rudare yakınındaki barikatları kaldırdı, Yarinye yolları yeniden açıldı."),
    ("es", "violence", "Enfrentamientos en Zvečan: soldados de la KFOR heridos",
     "Serbios lanzaron piedras contra los soldados; la policía usó gases lacrimógenos."),
    ("es", "quiet", "Retiradas las barricadas en el norte de Kosovo",
     "Los serbios retiraron las barricadas cerca de Rudare y las carreteras hacia Jarinje reabrieron."),
    ("pt", "violence", "Confrontos em Zvečan: soldados da KFOR feridos",
     "Sérvios atiraram pedras contra os soldados; a polícia usou gás lacrimogéneo."),
    ("ro", "violence", "Ciocniri la Zvečan: militari KFOR răniți",
     "Sârbii au aruncat cu pietre în militari, poliția a folosit gaze lacrimogene."),
    ("cs", "violence", "Střety ve Zvečanu: zraněni vojáci KFOR",
     "Srbové házeli kameny na vojáky, policie použila slzný plyn."),
    ("sk", "violence", "Strety vo Zvečane: zranení vojaci KFOR",
     "Srbi hádzali kamene na vojakov, polícia použila slzotvorný plyn."),
    ("hu", "violence", "Összecsapások Zvečanban: megsebesültek a KFOR katonái",
     "A szerbek kövekkel dobálták a katonákat, a rendőrség könnygázt vetett be."),
    ("nl", "violence", "Rellen in Zvečan: KFOR-militairen gewond",
     "Serviërs gooiden stenen naar de militairen, de politie zette traangas in."),
    ("sv", "quiet", "Barrikaderna i norra Kosovo borttagna",
     "Serberna tog bort barrikaderna vid Rudare och vägarna till Jarinje öppnades igen."),
    ("sl", "quiet", "Odstranjene barikade na severu Kosova",
     "Srbi so odstranili barikade pri Rudarah, ceste proti Jarinju so znova odprte."),
    ("hu", "quiet", "Lebontották a barikádokat Észak-Koszovóban",
     "A szerbek eltávolították a barikádokat Rudare közelében, a Jarinje felé vezető utak újra nyitva."),
    ("sr", "tension", "Beograd zabranio ulazak kosovskih proizvoda",
     "Srbija je uvela zabranu uvoza robe sa Kosova, prelazi Jarinje i Merdare zatvoreni."),
    ("sr-Cyrl", "violence", "Пуцњава у Звечану, рањена два полицајца",
     "Наоружани маскирани људи отворили су ватру на патролу косовске полиције."),
    ("sr-Cyrl", "quiet", "Уклоњене барикаде на северу Косова",
     "Срби су уклонили барикаде код Рудара, путеви ка Јарињу су поново отворени."),
    ("sq", "violence", "Shpërthim pranë stacionit të policisë në Mitrovicë",
     "Një granatë shpërtheu para stacionit; dy policë u plagosën, Beogradi dhe Prishtina akuzojnë njëra-tjetrën."),
    ("sq", "tension", "Kosova ndalon dinarin serb",
     "Banka Qendrore në Prishtinë ndaloi pagesat në dinarë; serbët në veri kanë frikë për pagat nga Beogradi."),
    # Routine military contacts, crime, fires and floods stay quiet; arrests of police
    # officers across the line are serious tension; an attack on a monastery is violence.
    ("de", "quiet", "Serbischer Generalstabschef trifft KFOR-Kommandeur",
     "Sie sprachen in Belgrad über die Sicherheitslage im Kosovo und die Zusammenarbeit."),
    ("it", "quiet", "Il capo di stato maggiore serbo incontra il comandante della KFOR",
     "Hanno discusso a Belgrado della sicurezza in Kosovo e della cooperazione."),
    ("fr", "quiet", "Le chef d'état-major serbe rencontre le commandant de la KFOR",
     "Ils ont parlé à Belgrade de la sécurité au Kosovo et de la coopération."),
    ("ru", "quiet", "Начальник Генштаба Сербии встретился с командующим КФОР",
     "В Белграде обсудили ситуацию с безопасностью в Косово и сотрудничество."),
    ("sq", "quiet", "Shefi i Shtabit serb takon komandantin e KFOR-it",
     "Në Beograd biseduan për sigurinë në Kosovë dhe bashkëpunimin."),
    ("el", "quiet", "Ο αρχηγός του σερβικού στρατού συναντήθηκε με τον διοικητή της KFOR",
     "Συζήτησαν στο Βελιγράδι για την ασφάλεια στο Κόσοβο και τη συνεργασία."),
    ("tr", "quiet", "Sırbistan Genelkurmay Başkanı KFOR komutanıyla görüştü",
     "Belgrad'da Kosova'daki güvenlik durumu ve işbirliği ele alındı."),
    ("pl", "quiet", "Szef sztabu armii serbskiej spotkał się z dowódcą KFOR",
     "W Belgradzie rozmawiano o bezpieczeństwie w Kosowie i współpracy."),
    ("mk", "quiet", "Началникот на српскиот генералштаб се сретна со командантот на КФОР",
     "Во Белград разговараа за безбедноста на Косово и соработката."),
    ("de", "quiet", "Drogenhändler in Mitrovica festgenommen",
     "Die Polizei fand bei einem jungen Mann aus Serbien Marihuana und ein Messer."),
    ("it", "quiet", "Incendio in una casa a Mitrovica nord, nessun ferito",
     "Il fuoco è scoppiato per un cortocircuito; i vigili del fuoco kosovari e i vicini serbi l'hanno spento."),
    ("ru", "quiet", "Наводнение на севере Косова, Ибар вышел из берегов",
     "Из-за ливней Ибар затопил несколько сербских домов в Звечане."),
    ("sq", "quiet", "Zjarr në një shtëpi në Mitrovicën e Veriut, asnjë i lënduar",
     "Zjarri shpërtheu nga një qark i shkurtër; zjarrfikësit dhe fqinjët serbë e shuan."),
    ("sq", "quiet", "Arrestohet shitës droge në Mitrovicë",
     "Policia gjeti marihuanë dhe një thikë te një i ri nga Serbia."),
    ("el", "quiet", "Πυρκαγιά σε σπίτι στη βόρεια Μιτρόβιτσα, χωρίς τραυματίες",
     "Η φωτιά ξέσπασε από βραχυκύκλωμα· πυροσβέστες και Σέρβοι γείτονες την έσβησαν."),
    ("tr", "quiet", "Mitroviça'da uyuşturucu satıcısı gözaltına alındı",
     "Polis Sırbistanlı genç bir adamda esrar ve bıçak buldu."),
    ("fr", "quiet", "Inondations dans le nord du Kosovo, l'Ibar déborde",
     "Les pluies ont inondé plusieurs maisons serbes à Zvečan."),
    ("hu", "quiet", "Árvíz Észak-Koszovóban, kilépett medréből az Ibar",
     "Az esőzések miatt az Ibar több szerb házat elárasztott Zvečanban."),
    ("es", "quiet", "Incendio en una casa de Mitrovica norte, sin heridos",
     "El fuego se originó por un cortocircuito; bomberos y vecinos serbios lo apagaron."),
    ("it", "tension", "La Serbia arresta tre poliziotti kosovari",
     "Pristina sostiene che sono stati fermati in territorio kosovaro; Belgrado parla di provocazione."),
    ("ru", "tension", "Сербия задержала трех косовских полицейских",
     "Приштина утверждает, что их задержали на территории Косова; Белград говорит о провокации."),
    ("sq", "tension", "Serbia arreston tre policë të Kosovës",
     "Prishtina thotë se u arrestuan në territorin e Kosovës; Beogradi flet për provokim."),
    ("el", "tension", "Η Σερβία συνέλαβε τρεις αστυνομικούς του Κοσόβου",
     "Η Πρίστινα λέει ότι συνελήφθησαν σε έδαφος του Κοσόβου· το Βελιγράδι μιλά για πρόκληση."),
    ("tr", "tension", "Sırbistan üç Kosova polisini gözaltına aldı",
     "Priştine polislerin Kosova topraklarında yakalandığını söylüyor; Belgrad provokasyondan söz ediyor."),
    ("pl", "tension", "Serbia zatrzymała trzech kosowskich policjantów",
     "Prisztina twierdzi, że zatrzymano ich na terytorium Kosowa; Belgrad mówi o prowokacji."),
    ("bg", "tension", "Сърбия задържа трима косовски полицаи",
     "Прищина твърди, че са задържани на територията на Косово; Белград говори за провокация."),
    ("uk", "tension", "Сербія затримала трьох косовських поліцейських",
     "Приштина стверджує, що їх затримали на території Косова; Белград говорить про провокацію."),
    ("ro", "tension", "Serbia a arestat trei polițiști kosovari",
     "Priștina susține că au fost reținuți pe teritoriul Kosovo; Belgradul vorbește de provocare."),
    ("cs", "tension", "Srbsko zadrželo tři kosovské policisty",
     "Priština tvrdí, že byli zadrženi na území Kosova; Bělehrad mluví o provokaci."),
    ("es", "tension", "Serbia detiene a tres policías kosovares",
     "Pristina afirma que fueron detenidos en territorio de Kosovo; Belgrado habla de provocación."),
    ("pt", "tension", "Sérvia detém três polícias do Kosovo",
     "Pristina afirma que foram detidos em território do Kosovo; Belgrado fala de provocação."),
    ("hu", "tension", "Szerbia őrizetbe vett három koszovói rendőrt",
     "Pristina szerint koszovói területen fogták el őket; Belgrád provokációról beszél."),
    ("sv", "tension", "Serbien grep tre kosovanska poliser",
     "Pristina säger att de greps på kosovanskt territorium; Belgrad talar om provokation."),
    ("it", "tension", "Il Kosovo vieta l'ingresso delle merci serbe",
     "Pristina ha imposto un divieto sulle importazioni dalla Serbia e ha chiuso i valichi di Jarinje."),
    ("ru", "tension", "Косово ввело запрет на ввоз сербских товаров",
     "Приштина закрыла пункты пропуска Яринье и Брняк для грузовиков из Сербии."),
    ("tr", "tension", "Kosova Sırp mallarına yasak getirdi",
     "Priştine Sırbistan'dan ithalatı yasakladı ve Yarinye sınır kapısını kapattı."),
    ("de", "violence", "Bewaffnete überfallen Kloster im Nordkosovo, Polizist getötet",
     "Bei einem Schusswechsel mit der Kosovo-Polizei in Banjska wurden ein Polizist und drei Angreifer getötet."),
    ("it", "violence", "Uomini armati assaltano un monastero nel nord del Kosovo, ucciso un poliziotto",
     "Nello scontro a fuoco con la polizia kosovara a Banjska sono morti un agente e tre aggressori."),
    ("fr", "violence", "Des hommes armés attaquent un monastère dans le nord du Kosovo, un policier tué",
     "Lors d'une fusillade avec la police du Kosovo à Banjska, un policier et trois assaillants ont été tués."),
    ("pl", "violence", "Uzbrojeni napastnicy w klasztorze na północy Kosowa, zginął policjant",
     "W strzelaninie z kosowską policją w Banjskiej zginął policjant i trzech napastników."),
    ("hu", "violence", "Fegyveresek támadtak egy kolostorra Észak-Koszovóban, meghalt egy rendőr",
     "A koszovói rendőrséggel folytatott tűzharcban Banjskában meghalt egy rendőr és három támadó."),
    ("ro", "violence", "Oameni înarmați au atacat o mănăstire în nordul Kosovo, un polițist ucis",
     "În schimbul de focuri cu poliția kosovară de la Banjska au murit un polițist și trei atacatori."),
    ("nl", "violence", "Gewapende mannen vallen klooster in Noord-Kosovo aan, agent gedood",
     "Bij een vuurgevecht met de Kosovaarse politie in Banjska kwamen een agent en drie aanvallers om."),
    ("sv", "violence", "Beväpnade män angrep kloster i norra Kosovo, polis dödad",
     "I skottlossningen med Kosovos polis i Banjska dödades en polis och tre angripare."),
    ("cs", "violence", "Ozbrojenci přepadli klášter na severu Kosova, zabit policista",
     "Při přestřelce s kosovskou policií v Banjské zahynul policista a tři útočníci."),
    ("sk", "violence", "Ozbrojenci prepadli kláštor na severe Kosova, zabitý policajt",
     "Pri prestrelke s kosovskou políciou v Banjskej zahynul policajt a traja útočníci."),
    ("es", "violence", "Hombres armados asaltan un monasterio en el norte de Kosovo, muere un policía",
     "En el tiroteo con la policía kosovar en Banjska murieron un agente y tres atacantes."),
    ("pt", "violence", "Homens armados atacam mosteiro no norte do Kosovo, um polícia morto",
     "No tiroteio com a polícia kosovar em Banjska morreram um agente e três atacantes."),
    ("tr", "violence", "Kuzey Kosova'da silahlı kişiler manastıra saldırdı, bir polis öldü",
     "Banjska'da Kosova polisiyle çıkan çatışmada bir polis ve üç saldırgan öldü."),
    ("bg", "violence", "Въоръжени нападнаха манастир в Северно Косово, убит полицай",
     "В престрелката с косовската полиция в Баньска загинаха полицай и трима нападатели."),
    ("uk", "violence", "Озброєні люди напали на монастир на півночі Косова, загинув поліцейський",
     "У перестрілці з косовською поліцією в Баньській загинули поліцейський і троє нападників."),
    ("ar", "violence", "مسلحون يهاجمون ديرا في شمال كوسوفو ومقتل شرطي",
     "قتل شرطي وثلاثة مهاجمين في تبادل لإطلاق النار مع شرطة كوسوفو في بانيسكا."),
    # Serious tension without violence: an army or a military alliance formed, crossings
    # closed, entry banned.
    ("en", "tension", "Kosovo parliament votes to turn its security force into an army",
     "Belgrade called the move a direct threat to Serbs in Kosovo and asked NATO to react."),
    ("sr", "tension", "Skupština Kosova izglasala formiranje vojske",
     "Beograd je to nazvao direktnom pretnjom Srbima na Kosovu i zatražio reakciju NATO-a."),
    ("sq", "tension", "Kuvendi i Kosovës voton për krijimin e ushtrisë",
     "Beogradi e quajti kërcënim të drejtpërdrejtë për serbët në Kosovë."),
    ("de", "tension", "Kosovo-Parlament beschließt Gründung einer Armee",
     "Belgrad nannte den Schritt eine direkte Bedrohung der Serben im Kosovo."),
    ("ru", "tension", "Парламент Косова проголосовал за создание армии",
     "Белград назвал это прямой угрозой сербам в Косове."),
    ("en", "tension", "Albania, Croatia and Kosovo sign a military alliance",
     "Serbia said the defence pact was aimed at Belgrade and would answer it."),
    ("sr", "tension", "Albanija, Hrvatska i Kosovo potpisali vojni savez",
     "Srbija tvrdi da je savez usmeren protiv nje."),
    ("en", "tension", "Serbia closes the Jarinje and Brnjak crossings",
     "Trucks were turned back at the two crossings with Kosovo as tension rose."),
    ("sq", "tension", "Mbyllen pikat kufitare Jarinje dhe Bërnjak",
     "Serbia mbylli kalimet me Kosovën, kamionët u kthyen mbrapa."),
    ("it", "tension", "Chiusi i valichi di Jarinje e Brnjak",
     "La Serbia ha chiuso i valichi con il Kosovo, i camion respinti."),
    ("en", "tension", "Vučić: Serbia will defend Serbs in Kosovo by all means",
     "The president warned of war if Pristina sent special units to the north again."),
    ("el", "tension", "Ο Βούτσιτς απειλεί να υπερασπιστεί τους Σέρβους του Κοσόβου",
     "Ο πρόεδρος προειδοποίησε για πόλεμο αν η Πρίστινα στείλει ξανά ειδικές δυνάμεις στον βορρά."),
    ("en", "tension", "Kosovo bans entry to Serbian officials",
     "Pristina barred Serbian ministers from entering Kosovo without permission, Belgrade protested."),
    ("sr", "tension", "Priština zabranila ulazak srpskim zvaničnicima",
     "Ministri iz Srbije ne mogu da uđu na Kosovo bez dozvole, Beograd protestuje."),
    ("hr", "tension", "Kosovo zabranilo ulazak srpskim dužnosnicima",
     "Ministri iz Srbije ne mogu ući na Kosovo bez dozvole, Beograd prosvjeduje."),
    ("bs", "violence", "Pucnjava na sjeveru Kosova, ranjen policajac",
     "Nepoznate osobe pucale su na patrolu kosovske policije; Srbi tvrde da nisu umiješani."),
    ("hr", "quiet", "Prometna nesreća kod Mitrovice, poginula dvojica",
     "Dvojica Srba s Kosova poginula su u prometnoj nesreći."),
    ("sl", "tension", "Kosovska policija zasedla občinske stavbe na severu",
     "Posebne enote so prevzele občinske stavbe v Zvečanu in Leposaviću, Srbi protestirajo."),
    # An attack or a war in words is neither.
    ("en", "quiet", "Vučić launches verbal attack on Kurti",
     "In a war of words, the Serbian president called the Kosovo prime minister a threat to peace."),
    ("sr", "quiet", "Vučić verbalno napao Kurtija",
     "Predsednik Srbije rekao je da je Kurti pretnja miru na Kosovu."),
    ("sq", "quiet", "Kurti: sulm verbal nga Beogradi",
     "Kryeministri tha se Serbia po bën luftë propagandistike kundër Kosovës."),
    # Gas bottles, mines and weddings: explosions and shots that are no attack.
    ("sr", "quiet", "Eksplozija plinske boce u stanu u Severnoj Mitrovici, povređena tri Srbina",
     "Boca sa gasom eksplodirala je u kuhinji; vatrogasci kažu da je reč o nesreći."),
    ("sr", "quiet", "Eksplozija u rudniku Trepča, poginula dva rudara",
     "U eksploziji u rudniku Stari trg poginula su dva radnika, Srbin i Albanac."),
    ("en", "quiet", "Celebratory gunfire at a Serb wedding in Gračanica leaves one hurt",
     "A guest fired into the air at the wedding; police seized the pistol."),
    ("sq", "quiet", "Shpërthim i bombolës së gazit në Mitrovicën e Veriut, plagosen tre serbë",
     "Bombola e gazit shpërtheu në kuzhinë; zjarrfikësit thanë se ishte aksident."),
    # An arrest on war-crimes charges is news, a verdict for crimes of 1999 is not.
    ("en", "tension", "Kosovo police arrest a Serb former officer on war crimes charges",
     "The man was detained at the Jarinje crossing; Belgrade called the arrest a provocation."),
    ("sr", "tension", "Uhapšen Srbin na Jarinju zbog sumnje na ratne zločine",
     "Kosovska policija privela je bivšeg pripadnika policije; Beograd traži njegovo puštanje."),
    ("sq", "tension", "Arrestohet në Jarinjë një serb i dyshuar për krime lufte",
     "Policia e Kosovës e arrestoi ish-policin serb me urdhër të prokurorisë."),
    # Croatian and Bosnian words the Serbian block must know too.
    ("hr", "violence", "Izgredi u Zvečanu: ozlijeđeno tridesetak vojnika KFOR-a",
     "Prosvjednici su napali pripadnike mirovnih snaga; više ljudi ima ozljede."),
    ("hr", "tension", "Kosovska policija uhitila srpskog dužnosnika na graničnom prijelazu",
     "Bivši policajac uhićen je na prijelazu Jarinje; Beograd traži njegovo puštanje."),
    ("bs", "violence", "Ubojstvo policajca na sjeveru Kosova",
     "Policajac je ubijen u napadu naoružane skupine kod Banjske, dvojica su povrijeđena."),
    ("hr", "quiet", "Prometna nesreća kod Mitrovice, ozlijeđena dvojica Srba",
     "Dvojica mladića ozlijeđena su u sudaru automobila; policija kaže da je riječ o nesreći."),
    # Indonesian and Malay.
    ("id", "violence", "Baku tembak di Zvečan, dua polisi Kosovo terluka",
     "Orang bersenjata bertopeng melepaskan tembakan ke arah patroli polisi di utara Kosovo."),
    ("id", "violence", "Bentrokan antara warga Serbia dan pasukan KFOR, puluhan tentara terluka",
     "Pengunjuk rasa melempari tentara NATO dengan batu dan bom molotov di Zvečan."),
    ("id", "tension", "Warga Serbia memasang barikade di perbatasan Jarinje",
     "Jalan menuju penyeberangan diblokir setelah penangkapan seorang mantan polisi Serbia."),
    ("id", "tension", "Kosovo melarang dinar Serbia, warga Serbia di utara protes",
     "Bank sentral Kosovo melarang penggunaan dinar; warga berunjuk rasa di Mitrovica."),
    ("id", "quiet", "Ledakan di dekat kantor polisi di Zvečan tidak menimbulkan korban jiwa",
     "Polisi Kosovo menyebut ledakan itu kecelakaan akibat tabung gas yang bocor."),
    ("id", "quiet", "Indonesia belum mengakui kemerdekaan Kosovo",
     "Menteri luar negeri mengatakan Indonesia menghormati integritas wilayah Serbia."),
    ("en", "quiet", "Court in Pristina sentences a Serb to ten years for war crimes",
     "The verdict for crimes committed in Kosovo in 1999 was read out; Belgrade protested."),
    ("sr", "quiet", "Sud u Prištini osudio Srbina na deset godina zbog ratnih zločina",
     "Presuda za zločine počinjene na Kosovu 1999. pročitana je u utorak."),
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


def _sentences() -> list[tuple[str, str, str, str]]:
    lines = (FIXTURES / "levels-sentences.tsv").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return [(lang, kind, title, text) for lang, kind, title, text in rows]


@pytest.mark.parametrize(("lang", "kind", "title", "text"), _sentences())
def test_the_shipped_watch_reads_more_sentences_of_every_language(
    lang: str, kind: str, title: str, text: str
) -> None:
    # More of the same, in the wording wire services and local outlets use (tenses,
    # cases, synonyms); kept in a file, 14 or more per language block.
    test_the_shipped_watch_reads_the_kind_of_news_in_every_language(lang, kind, title, text)


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


# "The north of Kosovo" is where the two sides meet: a report of it is about the
# dispute even when it names neither Serbs nor a place of the gazetteer.
NORTH = [
    ("en", "Police officer shot dead in north Kosovo"),
    ("fr", "Un policier tué par balles dans le nord du Kosovo"),
    ("es", "Un policía muerto a tiros en el norte de Kosovo"),
    ("pt", "Polícia morto a tiro no norte do Kosovo"),
    ("pl", "Policjant zastrzelony na północy Kosowa"),
    ("ro", "Polițist ucis în nordul Kosovo"),
    ("cs", "Policista zastřelen na severu Kosova"),
    ("sk", "Policajt zastrelený na severe Kosova"),
    ("hu", "Lelőttek egy rendőrt Észak-Koszovóban"),
    ("nl", "Agent doodgeschoten in Noord-Kosovo"),
    ("sv", "Polis skjuten till döds i norra Kosovo"),
    ("tr", "Kuzey Kosova'da bir polis vurularak öldürüldü"),
    ("el", "Αστυνομικός σκοτώθηκε από πυρά στο βόρειο Κόσοβο"),
    ("ar", "مقتل شرطي بالرصاص في شمال كوسوفو"),
    ("id", "Seorang polisi tewas ditembak di utara Kosovo"),
]


@pytest.mark.parametrize(("lang", "title"), NORTH)
def test_a_report_of_the_north_of_kosovo_is_about_the_dispute_in_every_language(
    lang: str, title: str
) -> None:
    result = shipped(title, "")
    assert result.in_scope, (lang, result.scope_miss)


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
    ("id", "Tidak ada korban luka"),
]


@pytest.mark.parametrize(("lang", "sentence"), NEGATED)
def test_a_negated_injury_counts_for_nothing_in_every_language(lang: str, sentence: str) -> None:
    result = shipped("Kosovo, Serbia", sentence)
    injuries = [hit for hit in result.hits if hit.signal == "clashes"]
    assert injuries, f"{lang}: no clashes term matched {sentence!r}"
    assert all(hit.negated for hit in injuries), (lang, injuries)


# A negator of one language that is another word in another: Portuguese "no" is
# "in the", Albanian "pas" is "after" and "ne" is "we", Italian "ne" is "of it".
NOT_NEGATED = [
    ("pt", "Sérvios: dois mortos no tiroteio no norte do Kosovo", "armed-violence"),
    ("pt", "Polícia ferido no ataque contra sérvios no Kosovo", "attack"),
    ("sq", "Tension pas përplasjeve në Zveçan, serbët protestojnë", "clashes"),
    ("sq", "Kosovë: ne u sulmuam nga policia, thonë serbët", "attack"),
    ("it", "Kosovo, i serbi: ne vedono le truppe al confine", "military-presence"),
    ("ro", "Kosovo: sârbii spun că ne-au atacat polițiștii", "attack"),
    ("de", "Kosovo: Serben werfen den Soldaten Angriffe vor", "military-presence"),
    ("sv", "Kosovo: serberna säger att nu skottlossning hörs i Zvečan", "armed-violence"),
]


@pytest.mark.parametrize(("lang", "title", "signal"), NOT_NEGATED)
def test_a_negator_of_another_language_negates_nothing(lang: str, title: str, signal: str) -> None:
    result = shipped(title, "")
    hits = [hit for hit in result.hits if hit.signal == signal]
    assert hits and not any(hit.negated for hit in hits), (lang, result.hits)


def test_the_same_words_still_negate_in_their_own_language() -> None:
    english = shipped("Kosovo Serbs say no injuries in the shooting", "")
    french = shipped("Kosovo : pas de blessés, disent les Serbes", "")
    spanish = shipped("Kosovo: los serbios dicen que no hubo heridos", "")
    romanian = shipped("Kosovo: nu au fost răniți, spun sârbii", "")
    greek = shipped("Κόσοβο: δεν υπάρχουν τραυματίες, λένε οι Σέρβοι", "")
    for result in (english, french, spanish, romanian, greek):
        injuries = [hit for hit in result.hits if hit.signal == "clashes"]
        assert injuries and all(hit.negated for hit in injuries), result.hits


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("sr", "Pucnjava kod Zvečana, ranjenih nema"),
        ("ru", "Стрельба в Косове, раненых нет"),
        ("bg", "Стрелба в Косово, ранени няма"),
        ("tr", "Kosova'da silah sesleri, yaralı yok"),
    ],
)
def test_a_negator_after_an_injury_cancels_it_where_the_language_puts_it_last(
    lang: str, sentence: str
) -> None:
    result = shipped(f"{sentence} (Serbia)", "")
    injuries = [hit for hit in result.hits if hit.signal == "clashes"]
    assert injuries and all(hit.negated for hit in injuries), (lang, result.hits)
    assert any(not hit.negated for hit in result.hits if hit.signal == "armed-violence")


def test_a_negator_does_not_reach_past_a_comma() -> None:
    protested = shipped(
        "Kosovo bars Serbian ministers",
        "Ministers may not enter without permission, Belgrade protested.",
    )
    assert [hit.negated for hit in protested.hits if hit.signal == "protest"] == [False]


@pytest.mark.parametrize(
    "title",
    [
        "Kosovo customs service opens a new office",
        "Kosovo: nuovi servizi per i cittadini",
        "Kosovo amplía los servicios de salud",
        "Kosovo lança novo serviço de correios",
    ],
)
def test_a_service_is_not_the_serbian_side(title: str) -> None:
    # Greek Σέρβοι folds to "servoi": its stem must not take in service, servizi, serviço.
    assert not shipped(title, "").in_scope


@pytest.mark.parametrize(
    "title",
    [
        "Σέρβοι διαδηλωτές στο Κόσοβο",
        "Σερβικές αρχές στο Κόσοβο",
        "Servische agenten in Kosovo",
        "Os sérvios do Kosovo",
        "A Sérvia e o Kosovo",
    ],
)
def test_the_serbian_side_reads_in_greek_dutch_and_portuguese(title: str) -> None:
    result = shipped(title, "")
    assert result.in_scope, result.scope_miss


@pytest.mark.parametrize(
    ("title", "text", "signal"),
    [
        # Italian stradale (of the road) is not Serbian stradale (killed).
        (
            "Scontri nel nord del Kosovo",
            "Serbi e polizia: la polizia stradale ha chiuso la strada.",
            "deaths",
        ),
        # Albanian and Romanian ferme (farms), French prison ferme: nothing is closed.
        (
            "Fermerët serbë në Kosovë",
            "Ferme të reja u hapën në veri të Kosovës.",
            "tension-measures",
        ),
        (
            "Un Serbe du Kosovo condamné",
            "Il écope de deux ans de prison ferme.",
            "tension-measures",
        ),
        # Tear gas fired (ispalila) is no shot fired (ispalila hitac).
        ("Sukobi kod Jarinja", "Kosovska policija ispalila je suzavac na Srbe.", "armed-violence"),
    ],
)
def test_a_word_of_another_language_does_not_fire_a_signal(
    title: str, text: str, signal: str
) -> None:
    result = shipped(title, text)
    assert result.in_scope, result.scope_miss
    assert not [hit.text for hit in result.hits if hit.signal == signal and hit.points]


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
