import { describe, expect, it } from 'vitest';
import { found, typesOf } from './helpers.js';

describe('names', () => {
  it('finds full names from the name lists, with honorifics and initials', () => {
    expect(typesOf('Yesterday Maria Gonzalez called.', 'Maria Gonzalez')).toEqual(['name']);
    expect(typesOf('Please ask Mr. Okafor about it', 'Mr. Okafor')).toEqual(['name']);
    expect(typesOf('The form was signed by John F. Kennedy', 'John F. Kennedy')).toEqual(['name']);
    expect(typesOf('Report from Jean-Luc Picard', 'Jean-Luc Picard')).toEqual(['name']);
    expect(typesOf('Ask Ludwig van Beethoven', 'Ludwig van Beethoven')).toEqual(['name']);
  });
  it('finds names written in other scripts of Latin', () => {
    expect(typesOf('I spoke with Jürgen Müller today', 'Jürgen Müller')).toEqual(['name']);
    expect(typesOf('Zgłoszenie od Łukasz Kowalski', 'Łukasz Kowalski')).toEqual(['name']);
  });
  it('does not take sentence-initial words, greetings or contractions for names', () => {
    expect(found('Please call me back. Thanks!')).toEqual([]);
    expect(found("You're welcome. Don't worry, I will.")).toEqual([]);
    expect(found('How can I help you?')).toEqual([]);
  });
  it('accepts an everyday word as a name only with strong context', () => {
    expect(typesOf('My name is Will', 'Will')).toEqual(['name']);
    expect(typesOf('Will you come?', 'Will')).toEqual([]);
  });
  it('splits names into given and family names when only those are requested', () => {
    expect(found('Dr. Jane Doe will see you', { entityTypes: ['name_given', 'name_family'] })).toEqual([
      ['name_given', 'Jane'],
      ['name_family', 'Doe'],
    ]);
  });
});

describe('locations', () => {
  it('finds countries, states and cities', () => {
    expect(typesOf('She moved to Portugal last year', 'Portugal')).toEqual(['location_country']);
    expect(typesOf('He lives in Texas', 'Texas')).toEqual(['location_state']);
    expect(typesOf('We met in Marseille', 'Marseille')).toEqual(['location_city']);
  });
});

describe('organizations', () => {
  it('finds names with company suffixes and unknown proper nouns after organisation context', () => {
    expect(typesOf('I work at Initech LLC now', 'Initech LLC')).toEqual(['organization']);
    expect(typesOf('She joined Vandelay Industries', 'Vandelay Industries')).toEqual(['organization']);
    expect(typesOf('He is employed by Zorblatt', 'Zorblatt')).toEqual(['organization']);
    expect(typesOf('Admitted to Mercy General Hospital', 'Mercy General Hospital')).toEqual([
      'organization_medical_facility',
    ]);
  });
});

describe('street addresses', () => {
  it('finds US-style addresses with their city, state and ZIP', () => {
    expect(
      typesOf(
        'Ship it to 1600 Pennsylvania Ave NW, Washington, DC 20500 please',
        '1600 Pennsylvania Ave NW, Washington, DC 20500',
      ),
    ).toEqual(['location_address']);
    expect(typesOf('I live at 42 Wallaby Way.', '42 Wallaby Way')).toEqual(['location_address_street']);
  });
  it('finds European street-then-number addresses and multi-line addresses', () => {
    expect(typesOf('Wohnt in der Hauptstraße 5 seit Jahren', 'Hauptstraße 5')).toEqual(['location_address_street']);
    expect(typesOf('Send to Storgatan 12\n114 55 Stockholm\nSweden', 'Storgatan 12\n114 55 Stockholm\nSweden')).toEqual(
      ['location_address'],
    );
    expect(typesOf('Nous habitons 12 rue de la Paix à Paris', '12 rue de la Paix')).toEqual([
      'location_address_street',
    ]);
    expect(typesOf('Address: Via Roma 3, Milano', 'Via Roma 3, Milano')).toEqual(['location_address']);
  });
  it('finds units and PO boxes', () => {
    expect(typesOf('Deliver to Suite 200 please', 'Suite 200')).toEqual(['location_address']);
    expect(typesOf('Write to P.O. Box 1234', 'P.O. Box 1234')).toEqual(['location_address']);
  });
  it('does not take a number before an ordinary capitalised word for an address', () => {
    expect(found('Chapter 9 Way Forward')).not.toContainEqual(['location_address_street', 'Chapter 9 Way']);
  });
});

describe('groups and attributes', () => {
  it('finds nationalities, religions and parties, plural and lower case too', () => {
    expect(typesOf('Two Norwegian tourists', 'Norwegian')).toEqual(['origin']);
    expect(typesOf('the saudis arrived', 'saudis')).toEqual(['origin']);
    expect(typesOf('He is a devout Catholic', 'Catholic')).toEqual(['religion']);
    expect(typesOf('a registered Republican', 'Republican')).toEqual(['political_affiliation']);
    expect(typesOf('She speaks Japanese fluently', 'Japanese')).toEqual(['language']);
  });
  it('finds job titles after job words', () => {
    expect(typesOf('I work as a senior software engineer', 'senior software engineer')).toEqual(['occupation']);
    expect(typesOf('My sister is a midwife.', 'midwife')).toEqual(['occupation']);
  });
  it('finds gender, marital status, sexuality, blood type and zodiac sign by context', () => {
    expect(typesOf('Gender: female', 'female')).toEqual(['gender']);
    expect(typesOf('I am divorced', 'divorced')).toEqual(['marital_status']);
    expect(typesOf('the single best option', 'single')).toEqual([]);
    expect(typesOf('blood type O+ noted', 'O+')).toEqual(['blood_type']);
    expect(typesOf('my star sign is Leo', 'Leo')).toEqual(['zodiac_sign']);
  });
});
