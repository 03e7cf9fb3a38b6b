"""The geo tables: countries (codes, names, aliases, default zones), names implying a country, and the zones of
regions and cities. Plain data, read only by `shared.domain.geo`, which imports this module on its first lookup so
that importing the Worker does not compile ~600 lines of tables (decision 0012).
"""

from __future__ import annotations

# code alpha-3 zone English-name;alias;... ("-" = the country needs a region to pick a zone); indented lines continue
# the alias list.
# All UN member states, observers and the ISO-coded territories, plus XK (Kosovo), as used in practice.
COUNTRIES = """
AD AND Europe/Andorra Andorra
AE ARE Asia/Dubai United Arab Emirates;UAE;U.A.E.;Emirates
AF AFG Asia/Kabul Afghanistan
AG ATG America/Antigua Antigua and Barbuda;Antigua
AI AIA America/Anguilla Anguilla
AL ALB Europe/Tirane Albania;Shqipëria;Shqiperia
AM ARM Asia/Yerevan Armenia;Hayastan
AO AGO Africa/Luanda Angola
AQ ATA - Antarctica
AR ARG America/Argentina/Buenos_Aires Argentina
AS ASM Pacific/Pago_Pago American Samoa
AT AUT Europe/Vienna Austria;Österreich;Autriche;Austria;Oostenrijk
AU AUS - Australia
AW ABW America/Aruba Aruba
AX ALA Europe/Mariehamn Åland Islands;Aland Islands;Åland
AZ AZE Asia/Baku Azerbaijan;Azərbaycan
BA BIH Europe/Sarajevo Bosnia and Herzegovina;Bosnia-Herzegovina;Bosnia;Bosna i Hercegovina;BiH
BB BRB America/Barbados Barbados
BD BGD Asia/Dhaka Bangladesh
BE BEL Europe/Brussels Belgium;België;Belgique;Belgien;Belgio;Bélgica
BF BFA Africa/Ouagadougou Burkina Faso
BG BGR Europe/Sofia Bulgaria;България;Bulgarien
BH BHR Asia/Bahrain Bahrain
BI BDI Africa/Bujumbura Burundi
BJ BEN Africa/Porto-Novo Benin;Bénin
BL BLM America/St_Barthelemy Saint Barthélemy;St Barts;St Barths;Saint-Barthélemy
BM BMU Atlantic/Bermuda Bermuda
BN BRN Asia/Brunei Brunei;Brunei Darussalam
BO BOL America/La_Paz Bolivia;Plurinational State of Bolivia
BQ BES America/Kralendijk Caribbean Netherlands;Bonaire;Bonaire, Sint Eustatius and Saba;Sint Eustatius;Saba
BR BRA - Brazil;Brasil;Brasilien;Brésil
BS BHS America/Nassau Bahamas
BT BTN Asia/Thimphu Bhutan
BV BVT - Bouvet Island
BW BWA Africa/Gaborone Botswana
BY BLR Europe/Minsk Belarus;Byelorussia;Беларусь;Weißrussland
BZ BLZ America/Belize Belize
CA CAN - Canada;Kanada
CC CCK Indian/Cocos Cocos (Keeling) Islands;Cocos Islands
CD COD - Democratic Republic of the Congo;DR Congo;DRC;Congo-Kinshasa;Congo (Kinshasa);
  Congo, Democratic Republic of the;Zaire
CF CAF Africa/Bangui Central African Republic;Centrafrique
CG COG Africa/Brazzaville Republic of the Congo;Congo;Congo-Brazzaville;Congo (Brazzaville);Congo, Republic of the
CH CHE Europe/Zurich Switzerland;Schweiz;Suisse;Svizzera;Svizra;Suiza;Zwitserland
CI CIV Africa/Abidjan Côte d'Ivoire;Ivory Coast
CK COK Pacific/Rarotonga Cook Islands
CL CHL America/Santiago Chile
CM CMR Africa/Douala Cameroon;Cameroun
CN CHN Asia/Shanghai China;People's Republic of China;PRC;Mainland China;中国;中國
CO COL America/Bogota Colombia
CR CRI America/Costa_Rica Costa Rica
CU CUB America/Havana Cuba
CV CPV Atlantic/Cape_Verde Cabo Verde;Cape Verde
CW CUW America/Curacao Curaçao
CX CXR Indian/Christmas Christmas Island
CY CYP Asia/Nicosia Cyprus;Κύπρος;Kıbrıs;Zypern;Chypre
CZ CZE Europe/Prague Czechia;Czech Republic;Česko;Česká republika;Tschechien;Tchéquie;Chequia
DE DEU Europe/Berlin Germany;Deutschland;Allemagne;Alemania;Germania;Duitsland;Niemcy;Tyskland;Alemanha
DJ DJI Africa/Djibouti Djibouti
DK DNK Europe/Copenhagen Denmark;Danmark;Dänemark;Danemark;Dinamarca;Danimarca;Denemarken
DM DMA America/Dominica Dominica
DO DOM America/Santo_Domingo Dominican Republic;República Dominicana
DZ DZA Africa/Algiers Algeria;Algérie
EC ECU America/Guayaquil Ecuador
EE EST Europe/Tallinn Estonia;Eesti;Estland
EG EGY Africa/Cairo Egypt;Misr;Ägypten;Égypte;Egipto
EH ESH Africa/El_Aaiun Western Sahara
ER ERI Africa/Asmara Eritrea
ES ESP Europe/Madrid Spain;España;Espagne;Spanien;Spagna;Espanya;Hiszpania;Spanje;Espanha
ET ETH Africa/Addis_Ababa Ethiopia
FI FIN Europe/Helsinki Finland;Suomi;Finnland;Finlande;Finlandia
FJ FJI Pacific/Fiji Fiji
FK FLK Atlantic/Stanley Falkland Islands;Falklands;Islas Malvinas
FM FSM - Micronesia;Federated States of Micronesia
FO FRO Atlantic/Faroe Faroe Islands;Faroes;Føroyar;Færøerne
FR FRA Europe/Paris France;Frankreich;Francia;Frankrijk;França;Francja
GA GAB Africa/Libreville Gabon
GB GBR Europe/London United Kingdom;UK;U.K.;Great Britain;Britain;United Kingdom of Great Britain and Northern Ireland;
  Großbritannien;Vereinigtes Königreich;Royaume-Uni;Reino Unido;Regno Unito
GD GRD America/Grenada Grenada
GE GEO Asia/Tbilisi Georgia;Sakartvelo
GF GUF America/Cayenne French Guiana;Guyane;Guyane française
GG GGY Europe/Guernsey Guernsey
GH GHA Africa/Accra Ghana
GI GIB Europe/Gibraltar Gibraltar
GL GRL America/Nuuk Greenland;Kalaallit Nunaat;Grønland
GM GMB Africa/Banjul Gambia;The Gambia
GN GIN Africa/Conakry Guinea;Guinée
GP GLP America/Guadeloupe Guadeloupe
GQ GNQ Africa/Malabo Equatorial Guinea
GR GRC Europe/Athens Greece;Hellas;Ελλάδα;Ελλάς;Griechenland;Grèce;Grecia;Griekenland
GS SGS Atlantic/South_Georgia South Georgia and the South Sandwich Islands;South Georgia
GT GTM America/Guatemala Guatemala
GU GUM Pacific/Guam Guam
GW GNB Africa/Bissau Guinea-Bissau
GY GUY America/Guyana Guyana
HK HKG Asia/Hong_Kong Hong Kong;Hong Kong SAR;香港
HM HMD - Heard Island and McDonald Islands
HN HND America/Tegucigalpa Honduras
HR HRV Europe/Zagreb Croatia;Hrvatska;Kroatien;Croatie;Croacia
HT HTI America/Port-au-Prince Haiti;Haïti
HU HUN Europe/Budapest Hungary;Magyarország;Ungarn;Hongrie;Hungría
ID IDN - Indonesia
IE IRL Europe/Dublin Ireland;Republic of Ireland;Éire;Irland;Irlande;Irlanda;Ierland
IL ISR Asia/Jerusalem Israel
IM IMN Europe/Isle_of_Man Isle of Man
IN IND Asia/Kolkata India;Bharat
IO IOT Indian/Chagos British Indian Ocean Territory
IQ IRQ Asia/Baghdad Iraq
IR IRN Asia/Tehran Iran;Islamic Republic of Iran;Persia
IS ISL Atlantic/Reykjavik Iceland;Ísland;Island
IT ITA Europe/Rome Italy;Italia;Italien;Italie;Włochy;Italië
JE JEY Europe/Jersey Jersey
JM JAM America/Jamaica Jamaica
JO JOR Asia/Amman Jordan
JP JPN Asia/Tokyo Japan;Nippon;Nihon;日本;Japon;Japón
KE KEN Africa/Nairobi Kenya
KG KGZ Asia/Bishkek Kyrgyzstan;Kyrgyz Republic;Kirghizia
KH KHM Asia/Phnom_Penh Cambodia;Kampuchea
KI KIR Pacific/Tarawa Kiribati
KM COM Indian/Comoro Comoros
KN KNA America/St_Kitts Saint Kitts and Nevis;Saint Christopher and Nevis;St Kitts
KP PRK Asia/Pyongyang North Korea;Democratic People's Republic of Korea;DPRK;Korea, North;
  Korea, Democratic People's Republic of
KR KOR Asia/Seoul South Korea;Korea;Republic of Korea;Korea, South;Korea, Republic of;대한민국;Südkorea
KW KWT Asia/Kuwait Kuwait
KY CYM America/Cayman Cayman Islands;Caymans
KZ KAZ Asia/Almaty Kazakhstan;Qazaqstan
LA LAO Asia/Vientiane Laos;Lao PDR;Lao People's Democratic Republic
LB LBN Asia/Beirut Lebanon;Liban;Libanon
LC LCA America/St_Lucia Saint Lucia
LI LIE Europe/Vaduz Liechtenstein
LK LKA Asia/Colombo Sri Lanka;Ceylon
LR LBR Africa/Monrovia Liberia
LS LSO Africa/Maseru Lesotho
LT LTU Europe/Vilnius Lithuania;Lietuva;Litauen
LU LUX Europe/Luxembourg Luxembourg;Luxemburg;Lëtzebuerg;Lussemburgo;Luxemburgo
LV LVA Europe/Riga Latvia;Latvija;Lettland
LY LBY Africa/Tripoli Libya
MA MAR Africa/Casablanca Morocco;Maroc;Marokko;Marruecos;Marocco
MC MCO Europe/Monaco Monaco
MD MDA Europe/Chisinau Moldova;Republic of Moldova;Moldova, Republic of
ME MNE Europe/Podgorica Montenegro;Crna Gora
MF MAF America/Marigot Saint Martin;Saint-Martin;Collectivity of Saint Martin;Saint Martin (French part)
MG MDG Indian/Antananarivo Madagascar
MH MHL Pacific/Majuro Marshall Islands
MK MKD Europe/Skopje North Macedonia;Macedonia;Republic of North Macedonia;FYROM;Severna Makedonija
ML MLI Africa/Bamako Mali
MM MMR Asia/Yangon Myanmar;Burma
MN MNG Asia/Ulaanbaatar Mongolia
MO MAC Asia/Macau Macao;Macau;Macao SAR;澳門;澳门
MP MNP Pacific/Saipan Northern Mariana Islands
MQ MTQ America/Martinique Martinique
MR MRT Africa/Nouakchott Mauritania
MS MSR America/Montserrat Montserrat
MT MLT Europe/Malta Malta
MU MUS Indian/Mauritius Mauritius;Maurice
MV MDV Indian/Maldives Maldives;Maldive Islands
MW MWI Africa/Blantyre Malawi
MX MEX - Mexico;México;Mexiko;Mexique;Messico
MY MYS Asia/Kuala_Lumpur Malaysia
MZ MOZ Africa/Maputo Mozambique;Moçambique
NA NAM Africa/Windhoek Namibia
NC NCL Pacific/Noumea New Caledonia;Nouvelle-Calédonie
NE NER Africa/Niamey Niger
NF NFK Pacific/Norfolk Norfolk Island
NG NGA Africa/Lagos Nigeria
NI NIC America/Managua Nicaragua
NL NLD Europe/Amsterdam Netherlands;The Netherlands;Holland;Nederland;Niederlande;Pays-Bas;Países Bajos;Paesi Bassi;
  Holandia;Kingdom of the Netherlands
NO NOR Europe/Oslo Norway;Norge;Noreg;Norwegen;Norvège;Noruega;Norvegia;Noorwegen
NP NPL Asia/Kathmandu Nepal
NR NRU Pacific/Nauru Nauru
NU NIU Pacific/Niue Niue
NZ NZL Pacific/Auckland New Zealand;Aotearoa;Neuseeland;Nouvelle-Zélande;Nueva Zelanda
OM OMN Asia/Muscat Oman
PA PAN America/Panama Panama;Panamá
PE PER America/Lima Peru;Perú
PF PYF Pacific/Tahiti French Polynesia;Polynésie française
PG PNG Pacific/Port_Moresby Papua New Guinea
PH PHL Asia/Manila Philippines;Pilipinas;Philippinen
PK PAK Asia/Karachi Pakistan
PL POL Europe/Warsaw Poland;Polska;Polen;Pologne;Polonia
PM SPM America/Miquelon Saint Pierre and Miquelon;Saint-Pierre-et-Miquelon
PN PCN Pacific/Pitcairn Pitcairn Islands;Pitcairn
PR PRI America/Puerto_Rico Puerto Rico
PS PSE Asia/Hebron Palestine;State of Palestine;Palestinian Territories;Palestine, State of;West Bank;Gaza Strip;Gaza
PT PRT Europe/Lisbon Portugal
PW PLW Pacific/Palau Palau
PY PRY America/Asuncion Paraguay
QA QAT Asia/Qatar Qatar
RE REU Indian/Reunion Réunion;La Réunion
RO ROU Europe/Bucharest Romania;România;Rumänien;Roumanie;Rumania
RS SRB Europe/Belgrade Serbia;Srbija;Serbien
RU RUS - Russia;Russian Federation;Россия;Rossiya;Russland;Russie;Rusia
RW RWA Africa/Kigali Rwanda
SA SAU Asia/Riyadh Saudi Arabia;KSA;Kingdom of Saudi Arabia;Saudi-Arabien
SB SLB Pacific/Guadalcanal Solomon Islands
SC SYC Indian/Mahe Seychelles
SD SDN Africa/Khartoum Sudan
SE SWE Europe/Stockholm Sweden;Sverige;Schweden;Suède;Suecia;Svezia;Zweden
SG SGP Asia/Singapore Singapore;Singapur
SH SHN Atlantic/St_Helena Saint Helena;Saint Helena, Ascension and Tristan da Cunha
SI SVN Europe/Ljubljana Slovenia;Slovenija;Slowenien
SJ SJM Arctic/Longyearbyen Svalbard and Jan Mayen;Svalbard
SK SVK Europe/Bratislava Slovakia;Slovensko;Slovak Republic;Slowakei
SL SLE Africa/Freetown Sierra Leone
SM SMR Europe/San_Marino San Marino
SN SEN Africa/Dakar Senegal;Sénégal
SO SOM Africa/Mogadishu Somalia
SR SUR America/Paramaribo Suriname;Surinam
SS SSD Africa/Juba South Sudan
ST STP Africa/Sao_Tome São Tomé and Príncipe
SV SLV America/El_Salvador El Salvador
SX SXM America/Lower_Princes Sint Maarten;Sint Maarten (Dutch part)
SY SYR Asia/Damascus Syria;Syrian Arab Republic
SZ SWZ Africa/Mbabane Eswatini;Swaziland
TC TCA America/Grand_Turk Turks and Caicos Islands;Turks and Caicos
TD TCD Africa/Ndjamena Chad;Tchad
TF ATF Indian/Kerguelen French Southern Territories;French Southern and Antarctic Lands
TG TGO Africa/Lome Togo
TH THA Asia/Bangkok Thailand;Siam;ประเทศไทย;Thailande
TJ TJK Asia/Dushanbe Tajikistan
TK TKL Pacific/Fakaofo Tokelau
TL TLS Asia/Dili Timor-Leste;East Timor
TM TKM Asia/Ashgabat Turkmenistan
TN TUN Africa/Tunis Tunisia;Tunisie;Tunesien;Túnez
TO TON Pacific/Tongatapu Tonga
TR TUR Europe/Istanbul Türkiye;Turkey;Türkei;Turquie;Turquía;Turchia
TT TTO America/Port_of_Spain Trinidad and Tobago;Trinidad
TV TUV Pacific/Funafuti Tuvalu
TW TWN Asia/Taipei Taiwan;Republic of China;ROC;台灣;台湾
TZ TZA Africa/Dar_es_Salaam Tanzania;United Republic of Tanzania;Tanzania, United Republic of
UA UKR Europe/Kyiv Ukraine;Україна;Ukraina
UG UGA Africa/Kampala Uganda
UM UMI - United States Minor Outlying Islands
US USA - United States;United States of America;USA;U.S.A.;U.S.;America;Vereinigte Staaten;États-Unis;
  Estados Unidos;Stati Uniti
UY URY America/Montevideo Uruguay
UZ UZB Asia/Tashkent Uzbekistan;Oʻzbekiston
VA VAT Europe/Vatican Vatican City;Holy See;Vatican;Città del Vaticano;Vatikanstadt
VC VCT America/St_Vincent Saint Vincent and the Grenadines;St Vincent
VE VEN America/Caracas Venezuela
VG VGB America/Tortola British Virgin Islands;Virgin Islands, British;BVI
VI VIR America/St_Thomas United States Virgin Islands;US Virgin Islands;U.S. Virgin Islands;Virgin Islands, U.S.;USVI
VN VNM Asia/Ho_Chi_Minh Vietnam;Viet Nam
VU VUT Pacific/Efate Vanuatu
WF WLF Pacific/Wallis Wallis and Futuna;Wallis-et-Futuna
WS WSM Pacific/Apia Samoa;Western Samoa
XK XKX Europe/Belgrade Kosovo;Kosova
YE YEM Asia/Aden Yemen
YT MYT Indian/Mayotte Mayotte
ZA ZAF Africa/Johannesburg South Africa;RSA;Suid-Afrika;Südafrika;Afrique du Sud;Sudáfrica
ZM ZMB Africa/Lusaka Zambia
ZW ZWE Africa/Harare Zimbabwe
"""

# Names that are not countries but imply one (and a region): "Tenerife, Canary Islands" -> ES, region Canary Islands.
IMPLIED = """
GB England;Scotland;Wales;Northern Ireland;Cymru;Alba
ES Canary Islands;Canarias;Islas Canarias;Balearic Islands;Baleares;Islas Baleares;Mallorca;Majorca;Ibiza;Tenerife;
  Gran Canaria;Lanzarote;Fuerteventura
PT Azores;Açores;Madeira
EC Galápagos;Galapagos Islands;Islas Galápagos
CL Easter Island;Rapa Nui;Isla de Pascua
US Hawaii;Alaska
ID Bali;Lombok
TZ Zanzibar
"""

# Zones by region (state, province...) and by city, for countries where the country alone is not enough or has
# exceptions. Region lines: `Zone: Name|Alias|CODE; ...` (zone "-" = a known region that spans zones: its cities
# decide). City lines: `Zone: City|Alias; City@REGION` (`@REGION` = only in that region, for split regions and
# homonyms; `@REGION*` = in that region, and also when no region is given: a name unique in the country). The
# first name of a region entry is its id, which `@REGION` refers to.
REGIONS: dict[str, str] = {
    "US": """
America/New_York: Connecticut|CT; Delaware|DE; District of Columbia|DC|Washington DC|Washington D.C.; Florida|FL;
  Georgia|GA; Maine|ME; Maryland|MD; Massachusetts|MA; New Hampshire|NH; New Jersey|NJ; New York|NY;
  North Carolina|NC; Ohio|OH; Pennsylvania|PA; Rhode Island|RI; South Carolina|SC; Vermont|VT; Virginia|VA;
  West Virginia|WV; Kentucky|KY
America/Detroit: Michigan|MI
America/Indiana/Indianapolis: Indiana|IN
America/Chicago: Alabama|AL; Arkansas|AR; Illinois|IL; Iowa|IA; Kansas|KS; Louisiana|LA; Minnesota|MN;
  Mississippi|MS; Missouri|MO; Nebraska|NE; North Dakota|ND; Oklahoma|OK; South Dakota|SD; Tennessee|TN; Texas|TX;
  Wisconsin|WI
America/Denver: Colorado|CO; Montana|MT; New Mexico|NM; Utah|UT; Wyoming|WY
America/Boise: Idaho|ID
America/Phoenix: Arizona|AZ
America/Los_Angeles: California|CA; Nevada|NV; Oregon|OR; Washington|WA|Washington State
America/Anchorage: Alaska|AK
Pacific/Honolulu: Hawaii|HI
America/Puerto_Rico: Puerto Rico|PR
Pacific/Guam: Guam|GU
America/St_Thomas: US Virgin Islands|VI
""",
    "CA": """
America/Vancouver: British Columbia|BC|Colombie-Britannique
America/Edmonton: Alberta|AB; Northwest Territories|NT|Territoires du Nord-Ouest
America/Regina: Saskatchewan|SK
America/Winnipeg: Manitoba|MB
America/Toronto: Ontario|ON; Quebec|QC|PQ|Québec
America/Moncton: New Brunswick|NB|Nouveau-Brunswick
America/Halifax: Nova Scotia|NS|Nouvelle-Écosse; Prince Edward Island|PE|PEI|Île-du-Prince-Édouard
America/St_Johns: Newfoundland and Labrador|NL|Newfoundland|Terre-Neuve-et-Labrador
America/Whitehorse: Yukon|YT
-: Nunavut|NU
""",
    "AU": """
Australia/Sydney: New South Wales|NSW; Australian Capital Territory|ACT
Australia/Melbourne: Victoria|VIC
Australia/Brisbane: Queensland|QLD
Australia/Adelaide: South Australia|SA
Australia/Perth: Western Australia|WA
Australia/Hobart: Tasmania|TAS
Australia/Darwin: Northern Territory|NT
""",
    "BR": """
America/Sao_Paulo: São Paulo|SP; Rio de Janeiro|RJ; Minas Gerais|MG; Espírito Santo|ES; Paraná|PR; Santa Catarina|SC;
  Rio Grande do Sul|RS; Goiás|GO; Distrito Federal|DF
America/Bahia: Bahia|BA
America/Fortaleza: Ceará|CE; Maranhão|MA; Piauí|PI; Rio Grande do Norte|RN; Paraíba|PB
America/Recife: Pernambuco|PE
America/Maceio: Alagoas|AL; Sergipe|SE
America/Belem: Pará|PA; Amapá|AP
America/Araguaina: Tocantins|TO
America/Manaus: Amazonas|AM
America/Cuiaba: Mato Grosso|MT
America/Campo_Grande: Mato Grosso do Sul|MS
America/Porto_Velho: Rondônia|RO
America/Boa_Vista: Roraima|RR
America/Rio_Branco: Acre|AC
""",
    "MX": """
America/Mexico_City: Mexico City|CDMX|Ciudad de México|Distrito Federal|Mexico|Estado de México|State of Mexico;
  Aguascalientes; Chiapas; Colima; Guanajuato; Guerrero; Hidalgo; Jalisco; Michoacán; Morelos; Oaxaca; Puebla;
  Querétaro; San Luis Potosí; Tabasco; Tlaxcala; Veracruz; Zacatecas
America/Cancun: Quintana Roo
America/Merida: Yucatán; Campeche
America/Monterrey: Nuevo León; Coahuila; Tamaulipas; Durango
America/Chihuahua: Chihuahua
America/Mazatlan: Sinaloa; Baja California Sur; Nayarit
America/Hermosillo: Sonora
America/Tijuana: Baja California
""",
    "RU": """
Europe/Kaliningrad: Kaliningrad
Europe/Moscow: Moscow|Moskva; Moscow Oblast; Saint Petersburg|St Petersburg|Sankt-Peterburg; Leningrad;
  Krasnodar; Tatarstan; Nizhny Novgorod; Yaroslavl; Vladimir; Tver; Tula; Kaluga; Ryazan; Voronezh; Rostov;
  Murmansk; Arkhangelsk; Karelia; Novgorod; Pskov; Smolensk; Bryansk; Kursk; Belgorod; Lipetsk; Tambov; Penza;
  Stavropol; Dagestan; Chechnya; North Ossetia; Kabardino-Balkaria; Vologda; Kostroma; Ivanovo; Mordovia;
  Chuvashia; Mari El; Komi; Adygea
Europe/Kirov: Kirov
Europe/Volgograd: Volgograd
Europe/Saratov: Saratov
Europe/Astrakhan: Astrakhan
Europe/Ulyanovsk: Ulyanovsk
Europe/Samara: Samara; Udmurtia
Asia/Yekaterinburg: Sverdlovsk; Chelyabinsk; Perm; Bashkortostan; Tyumen; Orenburg; Kurgan; Khanty-Mansi;
  Yamalo-Nenets
Asia/Omsk: Omsk
Asia/Novosibirsk: Novosibirsk
Asia/Barnaul: Altai Krai; Altai Republic
Asia/Tomsk: Tomsk
Asia/Novokuznetsk: Kemerovo|Kuzbass
Asia/Krasnoyarsk: Krasnoyarsk; Khakassia; Tuva
Asia/Irkutsk: Irkutsk; Buryatia
Asia/Chita: Zabaykalsky
Asia/Yakutsk: Amur
Asia/Vladivostok: Primorsky|Primorye; Khabarovsk; Jewish Autonomous Oblast
Asia/Sakhalin: Sakhalin
Asia/Magadan: Magadan
Asia/Kamchatka: Kamchatka
Asia/Anadyr: Chukotka
-: Sakha|Yakutia
""",
    "ID": """
Asia/Jakarta: Jakarta|DKI Jakarta; West Java|Jawa Barat; Central Java|Jawa Tengah; East Java|Jawa Timur;
  Yogyakarta|DI Yogyakarta; Banten; Aceh; North Sumatra|Sumatera Utara; West Sumatra|Sumatera Barat;
  South Sumatra|Sumatera Selatan; Riau; Riau Islands|Kepulauan Riau; Jambi; Bengkulu; Lampung;
  Bangka Belitung|Kepulauan Bangka Belitung
Asia/Pontianak: West Kalimantan|Kalimantan Barat; Central Kalimantan|Kalimantan Tengah
Asia/Makassar: Bali; West Nusa Tenggara|Nusa Tenggara Barat|NTB; East Nusa Tenggara|Nusa Tenggara Timur|NTT;
  South Kalimantan|Kalimantan Selatan; East Kalimantan|Kalimantan Timur; North Kalimantan|Kalimantan Utara;
  North Sulawesi|Sulawesi Utara; Central Sulawesi|Sulawesi Tengah; South Sulawesi|Sulawesi Selatan;
  Southeast Sulawesi|Sulawesi Tenggara; West Sulawesi|Sulawesi Barat; Gorontalo
Asia/Jayapura: Maluku; North Maluku|Maluku Utara; Papua; West Papua|Papua Barat
""",
    "CD": """
Africa/Kinshasa: Kinshasa; Kongo Central|Bas-Congo; Kwilu; Kwango; Mai-Ndombe; Équateur; Mongala; Nord-Ubangi;
  Sud-Ubangi
Africa/Lubumbashi: Haut-Katanga; Lualaba; Haut-Lomami; Tanganyika; North Kivu|Nord-Kivu; South Kivu|Sud-Kivu;
  Maniema; Tshopo; Ituri; Haut-Uele; Bas-Uele; Kasaï; Kasaï-Central; Kasaï-Oriental; Lomami; Sankuru
""",
    "ES": """
Atlantic/Canary: Canary Islands|Canarias|Islas Canarias|Las Palmas|Santa Cruz de Tenerife|Tenerife|Gran Canaria|
  Lanzarote|Fuerteventura|La Palma|La Gomera|El Hierro
Africa/Ceuta: Ceuta; Melilla
""",
    "PT": """
Atlantic/Azores: Azores|Açores|Região Autónoma dos Açores
Atlantic/Madeira: Madeira|Região Autónoma da Madeira
""",
    "EC": "Pacific/Galapagos: Galápagos|Galapagos Islands|Islas Galápagos",
    "CL": """
Pacific/Easter: Easter Island|Rapa Nui|Isla de Pascua
America/Punta_Arenas: Magallanes|Magallanes y de la Antártica Chilena;
  Aysén|Aysen|Aysén del General Carlos Ibáñez del Campo
""",
    "NZ": "Pacific/Chatham: Chatham Islands|Chatham",
    "FR": """
America/Guadeloupe: Guadeloupe
America/Martinique: Martinique
America/Cayenne: French Guiana|Guyane
Indian/Reunion: Réunion|La Réunion
Indian/Mayotte: Mayotte
Pacific/Tahiti: French Polynesia|Polynésie française|Tahiti
Pacific/Noumea: New Caledonia|Nouvelle-Calédonie
America/Marigot: Saint-Martin
America/St_Barthelemy: Saint-Barthélemy|St Barts
America/Miquelon: Saint-Pierre-et-Miquelon
Pacific/Wallis: Wallis-et-Futuna
""",
    "NL": "America/Kralendijk: Bonaire; Sint Eustatius; Saba",
    "NO": "Arctic/Longyearbyen: Svalbard",
    "MY": "Asia/Kuching: Sabah; Sarawak; Labuan",
    "UA": "Europe/Simferopol: Crimea|Krym",
    "PS": "Asia/Gaza: Gaza|Gaza Strip",
    "MN": "Asia/Hovd: Hovd|Khovd; Bayan-Ölgii|Bayan-Olgii; Uvs",
    "PG": "Pacific/Bougainville: Bougainville",
    "PF": "Pacific/Marquesas: Marquesas Islands|Marquesas\nPacific/Gambier: Gambier Islands|Gambier",
    "KI": "Pacific/Kiritimati: Line Islands\nPacific/Kanton: Phoenix Islands",
    "MH": "Pacific/Kwajalein: Kwajalein",
    "FM": "Pacific/Chuuk: Chuuk|Yap\nPacific/Pohnpei: Pohnpei\nPacific/Kosrae: Kosrae",
    "GL": "America/Danmarkshavn: Danmarkshavn\nAmerica/Scoresbysund: Ittoqqortoormiit\nAmerica/Thule: Pituffik|Thule",
    "CY": "Asia/Famagusta: Northern Cyprus|Famagusta|Gazimağusa|Kyrenia|Girne",
    "UZ": "Asia/Samarkand: Samarkand|Samarqand; Bukhara|Buxoro; Khorezm|Xorazm; Karakalpakstan; Navoiy; Qashqadaryo",
}

CITIES: dict[str, str] = {
    "US": """
America/New_York: New York|New York City|NYC|Manhattan|Brooklyn|Queens; Washington@DC; Boston; Philadelphia;
  Washington DC|Washington D.C.; Atlanta; Miami; Miami Beach; Orlando; Tampa; Fort Lauderdale; Key West; Jacksonville;
  St Petersburg@FL; Palm Beach; West Palm Beach; Naples@FL; Sarasota; Savannah; Charleston; Charlotte; Raleigh;
  Asheville; Baltimore; Pittsburgh; Cleveland; Columbus@OH; Cincinnati; Buffalo; Newark@NJ; Atlantic City;
  Richmond@VA; Virginia Beach; Providence; Hartford; Burlington@VT; Myrtle Beach; Hilton Head; Nantucket;
  Martha's Vineyard; Cape Cod; Louisville; Lexington@KY; Knoxville@TN; Chattanooga@TN; Gatlinburg@TN*;
  Pigeon Forge@TN*
America/Detroit: Detroit; Grand Rapids; Ann Arbor
America/Indiana/Indianapolis: Indianapolis
America/Chicago: Chicago; Houston; Dallas; San Antonio; Austin; Fort Worth; Nashville; Memphis; New Orleans;
  Minneapolis; St Paul@MN; Milwaukee; Kansas City; St Louis; Oklahoma City; Tulsa; Omaha; Des Moines; Madison@WI;
  Birmingham@AL; Little Rock; Galveston; Branson; Pensacola@FL*; Panama City@FL; Panama City Beach@FL*; Destin@FL*;
  Fort Walton Beach@FL; Evansville@IN; Gary@IN; Bowling Green@KY; Paducah@KY; Owensboro@KY
America/Denver: Denver; Aspen; Vail; Boulder; Colorado Springs; Breckenridge; Salt Lake City; Park City@UT;
  Albuquerque; Santa Fe@NM; Jackson Hole; El Paso@TX*; Rapid City@SD*; Deadwood@SD; Spearfish@SD; Sturgis@SD;
  Dickinson@ND; Medora@ND; Scottsbluff@NE; Goodland@KS
America/Boise: Boise; Ontario@OR
America/Phoenix: Phoenix; Scottsdale; Tucson; Sedona; Flagstaff; Tempe; Mesa@AZ
America/Los_Angeles: Los Angeles|LA; San Francisco|SF; San Diego; San Jose@CA; Seattle; Portland@OR; Las Vegas;
  Sacramento; Palm Springs; Napa; Sonoma; Santa Barbara; Santa Monica; Beverly Hills; Anaheim; Monterey; Carmel;
  Lake Tahoe; Reno; Oakland; Long Beach; Malibu; Coeur d'Alene@ID*; Lewiston@ID; Sandpoint@ID
America/Menominee: Iron Mountain@MI; Menominee@MI; Ironwood@MI
America/Anchorage: Anchorage; Juneau; Fairbanks
America/Adak: Adak@AK
Pacific/Honolulu: Honolulu; Maui; Waikiki; Lahaina; Kona; Hilo; Kauai
""",
    "CA": """
America/Toronto: Toronto; Montreal|Montréal; Ottawa; Quebec City|Québec City|Ville de Québec; Niagara Falls;
  Mississauga; Hamilton@ON; London@ON; Kingston@ON; Mont-Tremblant; Thunder Bay; Gatineau
America/Vancouver: Vancouver; Victoria@BC; Whistler; Kelowna; Tofino
America/Edmonton: Calgary; Edmonton; Banff; Jasper; Canmore; Lake Louise; Yellowknife; Lloydminster@SK*;
  Cranbrook@BC; Golden@BC; Fernie@BC
America/Dawson_Creek: Dawson Creek@BC*; Fort St John@BC*
America/Regina: Regina; Saskatoon
America/Winnipeg: Winnipeg; Churchill@MB; Kenora@ON
America/Halifax: Halifax; Charlottetown
America/Moncton: Moncton; Fredericton; Saint John@NB
America/St_Johns: St John's
America/Goose_Bay: Happy Valley-Goose Bay@NL*; Labrador City@NL*
America/Whitehorse: Whitehorse
America/Iqaluit: Iqaluit
America/Rankin_Inlet: Rankin Inlet
America/Cambridge_Bay: Cambridge Bay
""",
    "AU": """
Australia/Sydney: Sydney; Canberra; Newcastle@NSW; Wollongong; Byron Bay; Blue Mountains; Port Macquarie
Australia/Broken_Hill: Broken Hill@NSW*
Australia/Lord_Howe: Lord Howe Island@NSW*
Australia/Melbourne: Melbourne; Geelong; Ballarat; Bendigo
Australia/Brisbane: Brisbane; Gold Coast; Sunshine Coast; Cairns; Townsville; Noosa; Port Douglas; Airlie Beach;
  Hamilton Island; Surfers Paradise
Australia/Adelaide: Adelaide; Barossa Valley; Kangaroo Island
Australia/Perth: Perth; Fremantle; Broome; Margaret River
Australia/Hobart: Hobart; Launceston
Australia/Darwin: Darwin; Alice Springs; Uluru|Yulara
""",
    "BR": """
America/Sao_Paulo: São Paulo; Rio de Janeiro|Rio; Brasília; Belo Horizonte; Curitiba; Porto Alegre; Florianópolis;
  Campinas; Santos; Goiânia; Vitória; Búzios|Armação dos Búzios; Paraty; Gramado; Foz do Iguaçu; Angra dos Reis;
  Ouro Preto
America/Bahia: Salvador; Porto Seguro; Ilhéus; Trancoso; Morro de São Paulo
America/Fortaleza: Fortaleza; Natal; João Pessoa; São Luís; Teresina; Jericoacoara
America/Recife: Recife; Olinda; Porto de Galinhas
America/Noronha: Fernando de Noronha@PE*
America/Maceio: Maceió; Aracaju
America/Belem: Belém; Macapá
America/Santarem: Santarém@PA*
America/Araguaina: Palmas
America/Manaus: Manaus
America/Cuiaba: Cuiabá
America/Campo_Grande: Campo Grande; Bonito@MS
America/Porto_Velho: Porto Velho
America/Boa_Vista: Boa Vista
America/Rio_Branco: Rio Branco
""",
    "MX": """
America/Mexico_City: Mexico City|Ciudad de México|CDMX; Guadalajara; Puebla; Puerto Vallarta; Acapulco; Oaxaca;
  Querétaro; San Miguel de Allende; Guanajuato; Morelia; Cuernavaca; Toluca; León; Veracruz; Huatulco;
  Puerto Escondido; Zihuatanejo; Ixtapa; Villahermosa; Tuxtla Gutiérrez; San Cristóbal de las Casas
America/Bahia_Banderas: Nuevo Vallarta@Nayarit*; Bahía de Banderas@Nayarit*; Punta de Mita|Punta Mita@Nayarit*;
  Bucerías@Nayarit*; Sayulita@Nayarit*
America/Cancun: Cancún; Playa del Carmen; Tulum; Cozumel; Isla Mujeres; Puerto Morelos; Bacalar; Chetumal;
  Holbox
America/Merida: Mérida@Yucatán; Campeche; Valladolid@Yucatán; Progreso
America/Monterrey: Monterrey; Saltillo; Torreón; Tampico
America/Matamoros: Matamoros@Tamaulipas*; Reynosa@Tamaulipas*; Nuevo Laredo@Tamaulipas*; Piedras Negras@Coahuila*
America/Chihuahua: Chihuahua
America/Ciudad_Juarez: Ciudad Juárez|Juárez@Chihuahua*
America/Mazatlan: Mazatlán; Los Cabos; Cabo San Lucas; San José del Cabo; La Paz@Baja California Sur; Todos Santos;
  Culiacán; Tepic
America/Hermosillo: Hermosillo; Puerto Peñasco; San Carlos@Sonora
America/Tijuana: Tijuana; Ensenada; Mexicali; Rosarito|Playas de Rosarito; Valle de Guadalupe
""",
    "RU": """
Europe/Kaliningrad: Kaliningrad
Europe/Moscow: Moscow|Moskva; Saint Petersburg|St Petersburg|Sankt-Peterburg; Sochi; Adler; Anapa; Gelendzhik;
  Kazan; Nizhny Novgorod; Yaroslavl; Suzdal; Rostov-on-Don; Krasnodar; Voronezh; Murmansk; Arkhangelsk;
  Petrozavodsk; Veliky Novgorod; Pskov; Kislovodsk; Pyatigorsk; Mineralnye Vody; Makhachkala; Grozny;
  Vladikavkaz; Nalchik; Kaluga; Tula; Tver; Ryazan; Vologda
Europe/Kirov: Kirov
Europe/Volgograd: Volgograd
Europe/Saratov: Saratov
Europe/Astrakhan: Astrakhan
Europe/Ulyanovsk: Ulyanovsk
Europe/Samara: Samara; Tolyatti; Izhevsk
Asia/Yekaterinburg: Yekaterinburg; Chelyabinsk; Perm; Ufa; Tyumen; Orenburg; Surgut; Magnitogorsk
Asia/Omsk: Omsk
Asia/Novosibirsk: Novosibirsk
Asia/Barnaul: Barnaul; Gorno-Altaysk; Belokurikha
Asia/Tomsk: Tomsk
Asia/Novokuznetsk: Kemerovo; Novokuznetsk; Sheregesh
Asia/Krasnoyarsk: Krasnoyarsk; Abakan; Norilsk; Kyzyl
Asia/Irkutsk: Irkutsk; Listvyanka; Ulan-Ude
Asia/Chita: Chita
Asia/Yakutsk: Yakutsk; Blagoveshchensk
Asia/Vladivostok: Vladivostok; Khabarovsk; Birobidzhan
Asia/Sakhalin: Yuzhno-Sakhalinsk
Asia/Magadan: Magadan
Asia/Kamchatka: Petropavlovsk-Kamchatsky
Asia/Anadyr: Anadyr
""",
    "ID": """
Asia/Jakarta: Jakarta; Bandung; Surabaya; Yogyakarta|Jogja; Semarang; Medan; Palembang; Batam; Bintan;
  Malang; Solo|Surakarta; Bogor; Padang; Pekanbaru; Banda Aceh; Lampung
Asia/Pontianak: Pontianak; Palangkaraya
Asia/Makassar: Denpasar; Ubud; Seminyak; Kuta; Nusa Dua; Canggu; Sanur; Jimbaran; Uluwatu; Legian; Nusa Penida;
  Nusa Lembongan; Mataram; Senggigi; Gili Trawangan; Labuan Bajo; Kupang; Makassar; Manado; Balikpapan;
  Samarinda; Banjarmasin; Tarakan
Asia/Jayapura: Jayapura; Ambon; Sorong; Raja Ampat; Ternate; Manokwari; Timika
""",
    "CD": """
Africa/Kinshasa: Kinshasa; Matadi; Mbandaka; Boma; Kikwit
Africa/Lubumbashi: Lubumbashi; Goma; Bukavu; Kisangani; Kananga; Mbuji-Mayi; Kolwezi; Likasi; Kalemie; Uvira
""",
    "ES": """
Atlantic/Canary: Las Palmas de Gran Canaria|Las Palmas; Santa Cruz de Tenerife; Maspalomas; Playa del Inglés;
  Puerto de la Cruz; Costa Adeje; Adeje; Arona; Playa de las Américas; Los Cristianos; Corralejo;
  Puerto del Carmen; Arrecife; Playa Blanca; Costa Teguise; Morro Jable; Puerto de Mogán; Mogán;
  San Bartolomé de Tirajana; La Laguna|San Cristóbal de La Laguna; Santa Cruz de La Palma; San Sebastián de La Gomera
Africa/Ceuta: Ceuta; Melilla
""",
    "PT": """
Atlantic/Azores: Ponta Delgada; Angra do Heroísmo; Horta; São Miguel; Terceira; Faial; Pico
Atlantic/Madeira: Funchal; Porto Santo; Machico; Caniço; Calheta@Madeira
""",
    "EC": "Pacific/Galapagos: Puerto Ayora; Puerto Baquerizo Moreno; Santa Cruz@Galápagos; San Cristóbal@Galápagos",
    "CL": "Pacific/Easter: Hanga Roa\nAmerica/Punta_Arenas: Punta Arenas; Puerto Natales; Torres del Paine; Coyhaique",
    "NZ": "Pacific/Chatham: Waitangi@Chatham Islands",
    "FR": """
America/Guadeloupe: Pointe-à-Pitre; Basse-Terre; Sainte-Anne@Guadeloupe; Le Gosier
America/Martinique: Fort-de-France; Les Trois-Îlets; Sainte-Anne@Martinique
America/Cayenne: Cayenne; Kourou
Indian/Reunion: Saint-Denis@Réunion; Saint-Gilles-les-Bains; Saint-Pierre@Réunion
Pacific/Tahiti: Papeete; Bora Bora; Moorea
Pacific/Noumea: Nouméa
""",
    "MY": "Asia/Kuching: Kuching; Kota Kinabalu; Sandakan; Miri",
    "UA": "Europe/Simferopol: Simferopol; Sevastopol; Yalta",
    "PS": "Asia/Gaza: Gaza City",
    "KZ": """
Asia/Aqtau: Aktau|Aqtau
Asia/Atyrau: Atyrau
Asia/Oral: Oral|Uralsk
Asia/Aqtobe: Aktobe|Aqtobe
Asia/Qostanay: Kostanay|Qostanay
Asia/Qyzylorda: Kyzylorda|Qyzylorda
""",
    "UZ": "Asia/Samarkand: Samarkand|Samarqand; Bukhara|Buxoro; Khiva|Xiva; Nukus; Urgench",
    "PF": "Pacific/Marquesas: Nuku Hiva; Hiva Oa",
    "KI": "Pacific/Kiritimati: Kiritimati|Christmas Island",
    "FM": "Pacific/Chuuk: Weno|Chuuk; Colonia@Yap\nPacific/Pohnpei: Palikir; Kolonia; Pohnpei\nPacific/Kosrae: Tofol",
    "CY": "Asia/Famagusta: Famagusta|Gazimağusa; Kyrenia|Girne",
    "MN": "Asia/Hovd: Khovd|Hovd; Ölgii|Olgii; Ulaangom",
}
