"""The word tables of the name normaliser (shared/domain/enrichment/names.py): titles, suffixes, particles, company
and job words, placeholders, Iberian and Portuguese surnames and given names, country groups for umlaut spelling and
double surnames, Vietnamese surnames, CJK compound surnames, and the usual Latin spellings of Korean surnames and of
common Arabic and Hebrew names (scripts written without vowels, which transliteration alone cannot spell).
Keys are folded ASCII letters only (`names._key`): "Dr.-Ing." -> "dring", "Señor" -> "senor".
"""

from __future__ import annotations

from typing import Literal

Script = Literal["latin", "cyrillic", "greek", "arabic", "hebrew", "cjk", "other"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _pairs(text: str) -> dict[str, str]:
    return dict(item.split(":") for item in text.split())


# Keys are folded ASCII letters only (`_key`): "Dr.-Ing." -> "dring", "Señor" -> "senor".
TITLES = _words("""dr prof professor mr mrs ms miss mx mister sir dame herr frau hr fr fru mme mlle madame monsieur
mevr mevrouw dhr heer mw sig sigra signor signora dott dottssa dottoressa ing arch avv mag dipl diplkfm dipling
dring drmed drrernat drphil drjur mudr judr mgr phdr rndr sr sra srta senor senora senorita dona pan pani sayin
bayan rev hon capt sheikh shaikh sheikha haji hajji sayyid shri sri smt kumari kyrios kyria gospodin gospozha
univprof""")
TITLE_FOLLOWERS = _words("""med rer nat phil jur habil dent vet oec pol techn mult sc dr prof ing""")
SUFFIXES = _words("""jr junior sr senior ii iii iv phd mba msc bsc mphil dphil cpa cfa esq dds mbe obe cbe kbe dbe
mph llm llb frsa mrics frics acca cha chrm cht ret pmp hons""")
DOTTED_SUFFIXES = _words("""ma ba md pe rn jd""")  # also names ("Jun Ma"): only as "M.A.", "M.D."
COMPANY_WORDS = _words("""gmbh mbh ag kg ohg ltd limited llc llp inc corp plc srl sarl sas bv nv hotel hotels hostel
motel resort resorts group holding holdings company""")
JOB_TRAILING = _words("""manager director gm ceo cfo coo cto owner founder president chairman sommelier assistant
secretary supervisor coordinator executive officer general sales marketing front office reservations events revenue""")
JOB_WORDS = JOB_TRAILING | _words("head chef department dept operations of the and for")
PLACEHOLDERS = _words("""na nn unknown unbekannt none null nil test tbd tba tbc xxx xx asdf anonymous anonym nobody
sample""")
PARTICLES = _words("""de del della delle dei degli dello di da dal dalla do dos das du des la le lo van von vom zu
zum zur der den ter ten te het op bin ibn bint al el ben bar af av mac ni nic ua st saint san santa sao""")
CONNECTORS = _words("y e i")
DROP_PARTICLES = CONNECTORS | _words("da do dos das")  # usually left out of Portuguese addresses: joao.silva
GIVEN_NAMES = _words("""maria jose juan ana luis carlos miguel angel antonio manuel francisco javier pedro pablo
fernando jorge alberto isabel carmen teresa elena luisa fernanda eduardo joao paulo rosa pilar belen cristina lucia
sofia andres felipe ignacio alejandro ramon enrique david gabriel ricardo rafael emilio victoria beatriz paula marta
dolores mercedes jesus antonia josefa guadalupe ines alicia clara laura eva daniel marco mario pierre claire louis
anne marie michel jacques sophie helene christine luc hans peter karl heinz dieter klaus josef franz georg friedrich""")
IBERIAN_SURNAMES = _words("""garcia fernandez gonzalez rodriguez lopez martinez sanchez perez gomez martin
jimenez ruiz hernandez diaz moreno alvarez munoz romero alonso gutierrez navarro torres dominguez vazquez ramos
gil ramirez serrano blanco suarez molina morales ortega delgado castro ortiz rubio marin sanz iglesias nunez
medina garrido santos castillo cortes lozano guerrero cano prieto mendez calvo cruz gallego vidal leon herrera
marquez pena cabrera flores campos vega fuentes carrasco caballero nieto reyes aguilar pascual herrero lorenzo
hidalgo montero ferrer duran vicente benitez mora arias vargas carmona crespo roman pastor soto velasco soler
moya esteban parra bravo rojas""") | (
    PT_SURNAMES := _words("""silva ferreira pereira oliveira souza sousa carvalho almeida ribeiro goncalves
rodrigues fernandes lopes alves martins nunes soares mendes teixeira moreira correia cardoso rocha pinto costa
monteiro vieira barbosa araujo machado azevedo freitas lima cunha coelho gomes marques""")
)
IBERIAN_COUNTRIES = _words("""ES MX AR CO CL PE VE EC GT CU BO DO HN PY SV NI CR PA UY PR PT BR AO MZ CV""")
LUSO_COUNTRIES = _words("""PT BR AO MZ CV""")
DIGRAPH_MAIN, DIGRAPH_ALT = _words("DE AT CH LI"), _words("DE AT CH LI LU BE NL DK NO")
VIET_SURNAMES = _words("""nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly truong dinh trinh
mai cao""")
VIET_STRONG = _words("""nguyen tran pham hoang huynh phan dang bui duong ngo truong dinh trinh""")
COMPOUND_SURNAMES = _words("""欧阳 歐陽 司马 司馬 诸葛 諸葛 上官 东方 東方 皇甫 令狐 慕容 公孙 夏侯 尉迟 长孙 宇文
司徒 端木 남궁 황보 제갈 선우 독고""")
KOREAN = _pairs("""김:kim 이:lee 박:park 최:choi 정:jung 강:kang 조:cho 윤:yoon 장:jang 임:lim 한:han 오:oh 서:seo
신:shin 권:kwon 황:hwang 안:ahn 송:song 류:ryu 유:yoo 홍:hong 전:jeon 고:ko 문:moon 양:yang 손:son 배:bae 백:baek
허:heo 노:noh 남:nam 심:shim 곽:kwak 성:sung 차:cha 주:joo 우:woo 구:koo 민:min 진:jin 나:na 지:ji 엄:um 채:chae
원:won 천:chun 방:bang 공:kong 현:hyun 함:ham 변:byun 여:yeo 추:choo 석:seok 선:sun 설:seol 길:gil 연:yeon 표:pyo
명:myung 기:ki 왕:wang 금:keum 남궁:namgung 황보:hwangbo 제갈:jegal 선우:sunwoo 독고:dokgo""")
ARABIC = _pairs("""محمد:mohammed أحمد:ahmed احمد:ahmed علي:ali عمر:omar خالد:khalid فاطمة:fatima عبدالله:abdullah
يوسف:youssef إبراهيم:ibrahim ابراهيم:ibrahim حسن:hassan حسين:hussein مصطفى:mostafa محمود:mahmoud سارة:sara
مريم:maryam نور:nour ليلى:layla سلمان:salman عبدالرحمن:abdulrahman عبدالعزيز:abdulaziz سعيد:saeed سالم:salem
ناصر:nasser منصور:mansour فيصل:faisal طارق:tarek كريم:karim رشيد:rashid راشد:rashid زينب:zainab عائشة:aisha هند:hind
أمين:amin ياسين:yassin حمزة:hamza عادل:adel سامي:sami ماجد:majid وليد:walid بن:bin ابن:ibn بنت:bint آل:al ال:al""")
HEBREW = _pairs("""דוד:david משה:moshe יוסף:yosef אברהם:avraham יעקב:yaakov שרה:sarah רחל:rachel מרים:miriam
כהן:cohen לוי:levi מזרחי:mizrahi פרץ:peretz ביטון:biton דהן:dahan פרידמן:friedman שפירא:shapira יצחק:yitzhak
נועה:noa תמר:tamar מיכל:michal יעל:yael אורי:ori עומר:omer איתי:itai דניאל:daniel אריאל:ariel רון:ron גיל:gil
שי:shai אבי:avi יונתן:yonatan נתן:natan בן:ben גוריון:gurion אהרון:aharon שמעון:shimon רבקה:rivka לאה:leah חיים:haim
אליהו:eliyahu שלום:shalom""")
SCRIPT_WORDS: dict[str, Script] = {"LATIN": "latin", "CYRILLIC": "cyrillic", "GREEK": "greek", "ARABIC": "arabic",
    "HEBREW": "hebrew", "CJK": "cjk", "HIRAGANA": "cjk", "KATAKANA": "cjk", "HANGUL": "cjk"}  # fmt: skip
