/**
 * Hand-written word lists: closed classes that no npm data package ships in a usable form (honorifics,
 * company suffixes, street-type words in several languages, nationality adjectives, religions, parties,
 * occupations). Everything is lower-case; entries are single tokens unless they contain a space.
 */

const words = (s: string): string[] =>
  s
    .trim()
    .split(/\s*\|\s*|\s*\n\s*/)
    .filter(Boolean);

/** Courtesy titles written before a person's name (with or without a trailing full stop). */
export const HONORIFICS = new Set(
  words(`mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|lord|lady|madam|madame|mme|mlle|m|herr|frau|fräulein|
  señor|señora|señorita|sr|sra|srta|sta|don|doña|dona|signor|signora|signorina|sig|dott|dottor|dottoressa|rev|
  reverend|fr|father|sister|brother|hon|capt|captain|col|colonel|gen|general|lt|lieutenant|sgt|sergeant|maj|major|
  cmdr|adm|admiral|pres|president|gov|governor|sen|senator|rep|judge|justice|mgr|ing|judr|mudr|mvdr|phdr|rndr|
  paeddr|bc|doc|ir|drs|mag|dipl|dott|pan|pani|panna|hr|fru|fr|frk|heer|mevrouw|mevr|dhr|mw|sheikh|shaikh|sayyid|
  hajji|haji|mister|missus|messrs|mesdames|officer|detective|agent|nurse|coach|uncle|aunt|auntie`),
);

/** Words that end a company name. */
export const ORG_SUFFIXES = new Set(
  words(`inc|incorporated|llc|l.l.c|llp|lp|ltd|limited|plc|corp|corporation|co|company|companies|gmbh|mbh|ag|kg|
  ohg|kgaa|ug|se|sa|sas|sarl|s.a|s.a.s|srl|s.r.l|spa|s.p.a|snc|bv|b.v|nv|n.v|vof|ab|hb|oy|oyj|ky|as|asa|a/s|aps|
  kft|zrt|nyrt|bt|sp|s.c|z.o.o|pty|pvt|pte|bhd|sdn|kk|k.k|tbk|ltda|eireli|cia|cía|sl|s.l|sociedad|group|groupe|
  gruppe|gruppo|grupo|holdings|holding|partners|partnership|associates|enterprises|enterprise|industries|
  international|intl|solutions|systems|technologies|technology|tech|services|consulting|consultants|ventures|
  capital|bank|bancorp|trust|foundation|institute|university|universität|université|universidad|università|
  college|school|academy|hospital|clinic|agency|association|society|council|ministry|authority|bureau|commission|
  labs|laboratories|laboratory|pharmaceuticals|pharma|media|studios|studio|airlines|airways|motors|automotive|
  energy|insurance|logistics|software|networks|communications|telecom|brothers|bros|sons|söhne|fils|hermanos|
  figli|zonen|cooperative|co-op|coop|federation|union|organisation|organization|fund|investments|realty|
  properties|construction|manufacturing|electronics|foods|restaurants|hotels|resorts|entertainment|publishing|
  press|records|pictures|films|productions|collective|alliance|network|center|centre|institution|corps`),
);

/** Words that make an organisation a medical facility ("Mercy General Hospital"). */
export const MEDICAL_FACILITY_WORDS = new Set(
  words(`hospital|clinic|infirmary|sanatorium|hospice|medical center|medical centre|health center|health centre|
  surgery|pharmacy|krankenhaus|klinikum|klinik|hôpital|clinique|ospedale|hospitalario|sjukhus|sygehus|sykehus`),
);

/**
 * Street-type words written as a separate word AFTER the street's name ("Baker Street", "Elm Ave."),
 * in English and the main European languages.
 */
export const STREET_SUFFIX_WORDS = new Set(
  words(`street|st|str|avenue|ave|av|road|rd|drive|dr|lane|ln|boulevard|blvd|bvd|way|wy|court|ct|crt|circle|cir|
  place|pl|square|sq|terrace|ter|terr|trail|trl|parkway|pkwy|pky|highway|hwy|freeway|fwy|expressway|expy|alley|
  aly|row|crescent|cres|close|cl|grove|gr|gardens|gdns|garden|mews|walk|hill|park|pk|plaza|plz|loop|run|path|pike|
  point|pt|ridge|rdg|view|vw|vista|vis|heights|hts|estate|estates|crossing|xing|junction|jct|center|ctr|centre|
  port|harbor|harbour|landing|lndg|commons|green|meadow|meadows|creek|crk|fork|valley|vly|glen|hollow|holw|manor|
  mnr|mill|mills|station|sta|summit|smt|turnpike|tpke|wharf|quay|embankment|esplanade|rise|wynd|parade|pde|
  broadway|causeway|cswy|bypass|byp|spur|track|trace|trce|bend|bnd|cove|cv|shore|shores|shoal|springs|spg|spring|
  villas|village|vlg|ville|passage|route|rte|strasse|straße|weg|gasse|allee|platz|ring|damm|ufer|chaussee|
  steig|pfad|markt|gata|gatan|vägen|väg|gränd|vej|gade|stræde|alle|veien|vei|vegen|veg|gate|katu|tie|kuja|
  polku|straat|laan|gracht|plein|kade|singel|dreef|utca|út|tér|körút|sor|köz|cesta|ulice|náměstí|nábřeží|
  třída|sokak|sokağı|caddesi|cadde|bulvarı|mahallesi|yolu`),
);

/**
 * Street-type words written BEFORE the street's name ("Rue de la Paix", "Via Roma", "Calle Mayor").
 */
export const STREET_PREFIX_WORDS = new Set(
  words(`rue|avenue|av|ave|boulevard|bd|bld|chemin|ch|place|pl|allée|allee|impasse|imp|quai|route|rte|cours|
  passage|square|via|viale|v.le|piazza|p.za|piazzale|corso|c.so|largo|vicolo|strada|calle|c|avenida|avda|av.|
  paseo|pº|plaza|pza|camino|carrera|cra|carretera|ctra|ronda|travesía|travesia|rambla|callejón|rua|r|travessa|
  tv|praça|pc|estrada|alameda|rodovia|ladeira|ulica|ul|aleja|al|plac|pl|osiedle|os|náměstí|nám|třída|odos|οδός|
  οδος|λεωφόρος|λεωφ|πλατεία|bulevardul|bd-ul|calea|strada|str|soseaua|șoseaua|splaiul|piata|piața|aleea|
  utca|út|tér|gatve|iela|tänav|tn|maantee|ulitsa|ul.|prospekt|prospect|pr-t|vulytsia|vul|jalan|jl|rua|kampong|
  sokak|cadde|avenue of`),
);

/**
 * Endings of one-word street names in languages that write the street type glued to the name
 * (Hauptstraße, Koskikatu, Storgatan, Nørregade, Kerkstraat, Lindenweg).
 */
export const STREET_COMPOUND_ENDINGS = words(`straße|strasse|str.|weg|gasse|allee|platz|ring|damm|ufer|chaussee|steig|
  pfad|markt|graben|berg|gata|gatan|vägen|väg|gränd|torget|vej|gade|stræde|allé|veien|vegen|gata|gate|stien|katu|
  tie|kuja|polku|raitti|väylä|kaari|straat|laan|gracht|plein|kade|singel|dreef|steeg|utca|körút|sugárút|gatve|
  iela|tänav|ulica|ulice|street|avenue|road|lane|drive|way|boulevard`);

/** Words that introduce a secondary address unit ("Apt. 4B", "Suite 200"). */
export const UNIT_WORDS = new Set(
  words(`apt|apartment|suite|ste|unit|flat|fl|floor|room|rm|bldg|building|bld|lot|space|spc|dept|department|box|
  trlr|trailer|hngr|hangar|pier|slip|stop|wohnung|whg|etage|app|appt|appartement|piso|puerta|pta|interno|int|scala|
  sc|escalera|esc|andar|apto|bloco|bl|lok|mieszkanie|m|kat|ap|porta|no|nr|number|n°|nº|#`),
);

/** Nationality adjectives and demonyms (singular); plurals are derived. */
export const DEMONYMS = new Set(
  words(`afghan|albanian|algerian|american|andorran|angolan|argentine|argentinian|armenian|australian|austrian|
  azerbaijani|azeri|bahamian|bahraini|bangladeshi|barbadian|belarusian|belgian|belizean|belizian|beninese|
  bhutanese|bolivian|bosnian|botswanan|brazilian|british|bruneian|bulgarian|burkinabe|burmese|burundian|
  cambodian|cameroonian|canadian|cape verdean|chadian|chilean|chinese|colombian|comoran|congolese|costa rican|
  croatian|cuban|cypriot|czech|danish|djiboutian|dominican|dutch|ecuadorian|ecuadorean|egyptian|emirati|english|
  equatoguinean|eritrean|estonian|ethiopian|fijian|filipino|finnish|french|gabonese|gambian|georgian|german|
  ghanaian|greek|grenadian|guatemalan|guinean|guyanese|haitian|honduran|hungarian|icelandic|icelander|indian|
  indonesian|iranian|iraqi|irish|israeli|italian|ivorian|jamaican|japanese|jordanian|kazakh|kazakhstani|kenyan|
  kiribati|korean|kosovar|kuwaiti|kyrgyz|lao|laotian|latvian|lebanese|liberian|libyan|liechtensteiner|lithuanian|
  luxembourgish|luxembourger|macedonian|malagasy|malawian|malaysian|maldivian|malian|maltese|marshallese|
  mauritanian|mauritian|mexican|micronesian|moldovan|monacan|monegasque|mongolian|montenegrin|moroccan|
  mozambican|namibian|nauruan|nepalese|nepali|new zealander|kiwi|nicaraguan|nigerien|nigerian|norwegian|omani|
  pakistani|palauan|palestinian|panamanian|papua new guinean|paraguayan|peruvian|polish|portuguese|qatari|
  romanian|russian|rwandan|salvadoran|salvadorean|samoan|saudi|saudi arabian|scottish|scot|senegalese|serbian|
  seychellois|sierra leonean|singaporean|slovak|slovakian|slovenian|slovene|somali|south african|spanish|
  sri lankan|sudanese|surinamese|swazi|swedish|swiss|syrian|taiwanese|tajik|tanzanian|thai|togolese|tongan|
  trinidadian|tobagonian|tunisian|turkish|turkmen|tuvaluan|ugandan|ukrainian|uruguayan|uzbek|vanuatuan|
  venezuelan|vietnamese|welsh|yemeni|zambian|zimbabwean|greenlander|greenlandic|faroese|basque|catalan|
  galician|flemish|walloon|chechen|tatar|kurd|kurdish|tibetan|uyghur|uighur|sami|inuit|maori|aboriginal|
  puerto rican|hispanic|latino|latina|latinx|arab|arabic|persian|berber|bedouin|cossack|roma|romani|
  slav|slavic|anglo|caucasian|asian|african|european|scandinavian|nordic|balkan|baltic|caribbean|hawaiian|
  native american|first nations|cherokee|navajo|sioux|apache|zulu|xhosa|yoruba|igbo|hausa|amhara|oromo|tamil|
  punjabi|bengali|gujarati|sindhi|pashtun|hazara|han|cantonese|hakka|manchu|bavarian|prussian|texan|
  californian|new yorker|quebecer|québécois|sicilian|sardinian|corsican|breton|occitan|frisian|cornish|manx|
  northern irish|ulster|lapp`),
);

/** Religions and their adherents (singular). */
export const RELIGIONS = new Set(
  words(`christian|catholic|roman catholic|protestant|orthodox|greek orthodox|russian orthodox|anglican|episcopalian|
  lutheran|methodist|baptist|presbyterian|pentecostal|evangelical|mormon|latter-day saint|adventist|
  seventh-day adventist|jehovah's witness|quaker|amish|mennonite|calvinist|muslim|moslem|islamic|sunni|shia|
  shiite|shii|shi'ite|sufi|ahmadi|ismaili|alawite|druze|jewish|jew|judaism|hasidic|orthodox jew|hindu|hinduism|
  buddhist|buddhism|sikh|sikhism|jain|jainism|zoroastrian|parsi|bahai|bahá'í|baha'i|taoist|confucian|shinto|
  shintoist|pagan|wiccan|atheist|agnostic|animist|rastafarian|scientologist|unitarian|universalist|
  christianity|islam|catholicism|protestantism`),
);

/** Political affiliations (parties, movements and leanings; singular). */
export const POLITICAL = new Set(
  words(`democrat|democratic|republican|gop|liberal|conservative|libertarian|socialist|communist|marxist|
  leninist|maoist|anarchist|fascist|nazi|neo-nazi|nationalist|populist|progressive|centrist|tory|labour|labourite|
  whig|green party|greens|social democrat|christian democrat|independent voter|trotskyist|monarchist|royalist|
  unionist|loyalist|republicanism|federalist|separatist|zionist|feminist|far-right|far-left|alt-right|
  left-wing|right-wing|leftist|rightist|maga`),
);

/** Head nouns of job titles; a title is optional modifiers followed by one of these. */
export const OCCUPATION_HEADS = new Set(
  words(`accountant|actor|actress|actuary|adjuster|administrator|advisor|adviser|agent|aide|analyst|announcer|
  anthropologist|appraiser|apprentice|arbitrator|archaeologist|architect|archivist|artist|assembler|assessor|
  assistant|astronomer|athlete|attendant|attorney|auditor|author|baker|banker|barber|barista|bartender|biologist|
  boilermaker|bookkeeper|botanist|bricklayer|broker|builder|butcher|buyer|captain|carpenter|cartographer|
  caretaker|cashier|caster|chaplain|chef|chemist|chiropractor|choreographer|cleaner|clerk|coach|collector|
  columnist|compiler|composer|concierge|conductor|conservator|consultant|controller|cook|coordinator|copywriter|
  coroner|correspondent|cosmetologist|counselor|counsellor|courier|curator|custodian|cutter|dancer|dentist|
  deputy|designer|detective|developer|dietitian|dietician|director|dispatcher|diver|doctor|drafter|draftsman|
  driver|economist|editor|educator|electrician|embalmer|engineer|entertainer|epidemiologist|estimator|
  examiner|executive|fabricator|farmer|firefighter|fisher|fisherman|fitter|florist|forester|founder|
  fumigator|gardener|geographer|geologist|glazier|grader|groomer|guard|guide|hairdresser|handler|helper|
  historian|host|hostess|housekeeper|hygienist|illustrator|inspector|installer|instructor|insulator|interpreter|
  interviewer|investigator|janitor|jeweler|jeweller|journalist|judge|laborer|labourer|landscaper|lawyer|lecturer|
  librarian|lifeguard|lineman|loader|locksmith|logger|machinist|maid|manager|manicurist|marketer|mason|
  mathematician|mechanic|mediator|messenger|meteorologist|microbiologist|midwife|miner|model|mortician|
  musician|nanny|navigator|negotiator|neurologist|nurse|nutritionist|officer|operator|optician|optometrist|
  orderly|organizer|painter|paralegal|paramedic|pathologist|pediatrician|performer|pharmacist|photographer|
  physician|physicist|physiotherapist|pilot|planner|plasterer|plumber|podiatrist|poet|policeman|policewoman|
  politician|porter|postman|postmaster|practitioner|preparer|presenter|priest|principal|printer|processor|
  producer|professor|programmer|promoter|proofreader|psychiatrist|psychologist|publicist|publisher|purchaser|
  radiographer|radiologist|rancher|realtor|receptionist|recruiter|referee|registrar|repairer|reporter|
  representative|researcher|roofer|sailor|salesman|saleswoman|salesperson|scientist|sculptor|secretary|
  sheriff|singer|slaughterer|smith|sociologist|soldier|solicitor|sorter|specialist|statistician|steward|
  stewardess|stocker|strategist|stylist|superintendent|supervisor|surgeon|surveyor|tailor|teacher|technician|
  technologist|teller|tester|therapist|trainer|translator|treasurer|trucker|tutor|typist|umpire|underwriter|
  upholsterer|usher|valet|veterinarian|vet|waiter|waitress|warden|washer|weaver|webmaster|welder|worker|
  writer|zoologist|packager|echocardiographer|sonographer|phlebotomist|embryologist|audiologist|ceo|cfo|cto|
  coo|cio|vp|chairman|chairwoman|chairperson|president|treasurer|intern|trainee|volunteer|employee|staff|
  merchandiser|dispatcher|custodian|millwright|ironworker|pipefitter|steamfitter|sewer|tiler|paver|
  distributor|controller|clergyman|minister|pastor|rabbi|imam|monk|nun|attendant|hairstylist|barber|copyist|
  cartoonist|animator|videographer|cinematographer|editor|reviewer|critic|blogger|influencer|youtuber`),
);

/** Lower-case words that may sit inside a person's name (de la Cruz, van der Berg, bin Salman). */
export const NAME_PARTICLES = new Set(
  words(`de|da|di|do|dos|das|du|del|della|delle|dei|der|den|van|von|vom|zu|zum|zur|la|le|les|lo|y|e|i|bin|ibn|bint|
  al|el|ben|ter|ten|af|av|mac|st|ap|ould|abu|bar|bat|de la|van der|van den|von der`),
);

/** Capitalised words that are common in text but are not personal data on their own. */
export const NOT_PII_PROPER = new Set(
  words(`i|i'm|i've|i'd|i'll|ok|okay|visa|mastercard|amex|maestro|discover|jcb|diners|unionpay|paypal|venmo|
  internet|web|email|e-mail|wifi|wi-fi|ip|id|pin|ssn|dob|usa|us|uk|eu|un|tv|pc|faq|pdf|url|api|sms|gps|atm|
  covid|covid-19|christmas|easter|halloween|thanksgiving|ramadan|hanukkah|diwali|new year|god|lord|jesus|allah|
  bible|quran|koran|north|south|east|west|northern|southern|eastern|western|am|pm|a.m|p.m|re|fw|fwd|cc|bcc|
  iphone|ipad|android|windows|linux|mac|macos|ios|excel|word|powerpoint|outlook|gmail|hotmail|yahoo|
  monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|
  september|october|november|december|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|jan|feb|mar|apr|jun|jul|aug|
  sep|sept|oct|nov|dec|dear|hi|hello|hey|thanks|thank|regards|best|sincerely|cheers|yours|please|note|re|subject|
  from|to|date|sent|attn|attention|ps|p.s|n/a|na|tbd|asap|fyi|etc|ie|eg|vs|mr|mrs|ms|dr|prof|sir|madam|street|road|
  avenue|apt|suite|unit|phone|tel|fax|mobile|cell|name|address|city|state|country|zip|code|number|card|account|
  customer|client|patient|user|member|employee|manager|team|department|company|office|hospital|school|st|
  website|online|ceo|ceos|
  university|bank|government|police|court|ministry|service|services|support|sales|hr|it|ceo|cfo|cto|vp`),
);

/** Closed-class English words (articles, pronouns, auxiliaries, prepositions, conjunctions). */
export const FUNCTION_WORDS = new Set(
  words(`a|an|the|this|that|these|those|i|you|he|she|it|we|they|me|him|her|us|them|my|your|his|its|our|their|mine|
  yours|hers|ours|theirs|who|whom|whose|which|what|when|where|why|how|is|am|are|was|were|be|been|being|have|has|
  had|do|does|did|will|would|shall|should|can|could|may|might|must|and|or|but|nor|so|yet|if|then|than|because|
  while|although|though|unless|until|since|as|at|by|for|from|in|into|of|off|on|onto|out|over|to|up|upon|with|
  within|without|about|above|after|against|along|among|around|before|behind|below|beneath|beside|between|beyond|
  down|during|except|inside|near|outside|past|through|toward|towards|under|via|not|no|yes|all|any|some|each|every|
  both|either|neither|here|there|now|also|just|only|very|too|again|already|still|said|says|told|asked|went|got|
  please|thanks|today|tomorrow|yesterday`),
);

/** Everyday words too recent for the SCOWL lists' common sizes. */
export const MODERN_COMMON_WORDS = new Set(
  words(`website|websites|web|online|offline|email|emails|e-mail|internet|app|apps|smartphone|smartphones|login|logins|
  username|usernames|password|passwords|blog|blogs|wifi|wi-fi|ok|okay|selfie|selfies|podcast|podcasts|hashtag|
  hashtags|startup|startups|download|downloads|upload|uploads|update|updates|inbox|chatbot|chatbots|online|
  smartwatch|laptop|laptops|tablet|tablets|webinar|webinars|ebook|ebooks|emoji|emojis|covid|vaccine|vaccines|
  ceo|ceos|cfo|cto|hr|faq|faqs|pdf|pdfs|url|urls|api|apis|sms|gps|atm|atms|pin|pins|id|ids|tv|pc|pcs`),
);

/** Words of the personal-attribute classes (gender, marital status, sexuality, zodiac sign). */
export const ATTRIBUTE_WORDS = new Set(
  words(`male|female|non-binary|nonbinary|genderqueer|genderfluid|transgender|cisgender|intersex|agender|married|
  unmarried|single|divorced|widowed|widow|widower|separated|engaged|gay|lesbian|bisexual|heterosexual|homosexual|
  asexual|pansexual|queer|straight|lgbt|lgbtq|aries|taurus|gemini|cancer|leo|virgo|libra|scorpio|sagittarius|
  capricorn|aquarius|pisces`),
);

/** Month names (English), full and abbreviated. */
export const MONTHS: ReadonlyArray<readonly [string, number]> = [
  ['january', 1],
  ['jan', 1],
  ['february', 2],
  ['feb', 2],
  ['march', 3],
  ['mar', 3],
  ['april', 4],
  ['apr', 4],
  ['may', 5],
  ['june', 6],
  ['jun', 6],
  ['july', 7],
  ['jul', 7],
  ['august', 8],
  ['aug', 8],
  ['september', 9],
  ['sep', 9],
  ['sept', 9],
  ['october', 10],
  ['oct', 10],
  ['november', 11],
  ['nov', 11],
  ['december', 12],
  ['dec', 12],
];

export const WEEKDAYS = words(
  'monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun',
);
