import { describe, expect, it } from 'vitest';
import { found, typesOf } from './helpers.js';

describe('email', () => {
  it('finds addresses, including internationalised ones', () => {
    expect(typesOf('Write to jane.doe+news@example.co.uk today.', 'jane.doe+news@example.co.uk')).toEqual([
      'email_address',
    ]);
    expect(typesOf('Contact josé@correo.es', 'josé@correo.es')).toEqual(['email_address']);
  });
  it('ignores near misses', () => {
    expect(found('version v1.2@3.4 and user@localhost')).toEqual([]);
  });
});

describe('url', () => {
  it('finds scheme URLs, www hosts and bare domains with a known TLD', () => {
    expect(typesOf('See https://example.com/a?b=1.', 'https://example.com/a?b=1')).toEqual(['url']);
    expect(typesOf('Visit www.acme-corp.org for details', 'www.acme-corp.org')).toEqual(['url']);
    expect(typesOf('Our site is acme.io', 'acme.io')).toEqual(['url']);
  });
  it('does not take file names for domains', () => {
    expect(typesOf('Open report.pdf now', 'report.pdf')).toEqual(['filename']);
  });
});

describe('ip_address', () => {
  it('finds valid IPv4 and IPv6 addresses', () => {
    expect(typesOf('Login from 203.0.113.7 failed', '203.0.113.7')).toEqual(['ip_address']);
    expect(typesOf('Host 2001:db8:85a3::8a2e:370:7334 is up', '2001:db8:85a3::8a2e:370:7334')).toEqual(['ip_address']);
  });
  it('rejects out-of-range octets and clock times', () => {
    expect(typesOf('Login from 300.1.2.3 failed', '300.1.2.3')).toEqual([]);
    expect(typesOf('We met at 10:30:00 sharp', '10:30:00')).not.toContain('ip_address');
  });
});

describe('credit_card', () => {
  it('finds Luhn-valid card numbers of known networks, grouped or not', () => {
    expect(typesOf('Card: 4111 1111 1111 1111', '4111 1111 1111 1111')).toEqual(['credit_card']);
    expect(typesOf('Amex 3782-822463-10005 on file', '3782-822463-10005')).toEqual(['credit_card']);
    expect(typesOf('pay with 5555555555554444', '5555555555554444')).toEqual(['credit_card']);
  });
  it('rejects numbers that fail the Luhn check', () => {
    expect(typesOf('Card: 4111 1111 1111 1112', '4111 1111 1111 1112')).toEqual([]);
  });
});

describe('ssn', () => {
  it('finds dashed SSNs and plain ones after a context word', () => {
    expect(typesOf('SSN 536-22-1234 on the form', '536-22-1234')).toEqual(['ssn']);
    expect(typesOf('my social security number is 536221234', '536221234')).toEqual(['ssn']);
  });
  it('rejects numbers the SSA never issues, and plain runs without context', () => {
    expect(typesOf('SSN 666-22-1234', '666-22-1234')).toEqual([]);
    expect(typesOf('SSN 536-00-1234', '536-00-1234')).toEqual([]);
    expect(typesOf('order 536221234 shipped', '536221234')).toEqual([]);
  });
});

describe('bank_account', () => {
  it('finds IBANs with valid check digits', () => {
    expect(typesOf('IBAN: DE89 3704 0044 0532 0130 00.', 'DE89 3704 0044 0532 0130 00')).toEqual(['bank_account']);
    expect(typesOf('Pay GB82WEST12345698765432 now', 'GB82WEST12345698765432')).toEqual(['bank_account']);
  });
  it('rejects a wrong check digit', () => {
    expect(typesOf('IBAN GB82WEST12345698765433', 'GB82WEST12345698765433')).toEqual([]);
  });
  it('finds account and routing numbers only after their labels', () => {
    expect(typesOf('routing number 011000015', '011000015')).toEqual(['routing_number']);
    expect(typesOf('account number 12345678', '12345678')).toEqual(['account_number']);
    expect(typesOf('we shipped 12345678 units', '12345678')).toEqual([]);
  });
});

describe('phone_number', () => {
  it('finds national and international formats', () => {
    expect(typesOf('Call (212) 555-0123 today', '(212) 555-0123')).toEqual(['phone_number']);
    expect(typesOf('Call +49 30 1234567 today', '+49 30 1234567')).toEqual(['phone_number']);
    expect(typesOf('Tel: +44 (0)20 7946 0958.', '+44 (0)20 7946 0958')).toEqual(['phone_number']);
    expect(typesOf('My number is 06 12 34 56 78', '06 12 34 56 78')).toEqual(['phone_number']);
  });
  it('needs context for short local numbers and rejects impossible ones', () => {
    expect(typesOf('phone 555 0123', '555 0123')).toEqual(['phone_number']);
    expect(typesOf('we sold 555 0123', '555 0123')).toEqual([]);
    expect(typesOf('Call +888 123 4567 890', '+888 123 4567 890')).toEqual([]); // no country code 888
    expect(typesOf('Call 111-111-1111', '111-111-1111')).toEqual([]);
  });
  it('leaves dates to the date recognizer', () => {
    expect(typesOf('Due 12.05.2020 please', '12.05.2020')).toEqual(['date']);
  });
});

describe('date and time', () => {
  it('finds numeric, ISO and written dates that exist on the calendar', () => {
    expect(typesOf('Meet on 03/14/2022.', '03/14/2022')).toEqual(['date']);
    expect(typesOf('Logged 2021-02-28 13:45:10 UTC', '2021-02-28 13:45:10')).toEqual(['date']);
    expect(typesOf('Signed on March 4th, 1985 in Rome', 'March 4th, 1985')).toEqual(['date']);
    expect(typesOf('Arrives 4 March 2023.', '4 March 2023')).toEqual(['date']);
  });
  it('rejects impossible dates', () => {
    expect(typesOf('Meet on 02/30/2022.', '02/30/2022')).toEqual([]);
    expect(typesOf('Logged 2021-02-29', '2021-02-29')).toEqual([]);
  });
  it('calls a date a date of birth after birth words', () => {
    expect(typesOf('Date of birth: 07/04/1990', '07/04/1990')).toEqual(['dob']);
    expect(typesOf('She was born on May 3, 1970.', 'May 3, 1970')).toEqual(['dob']);
  });
  it('joins two dates into an interval', () => {
    expect(typesOf('Away 2022-01-03 to 2022-01-07.', '2022-01-03 to 2022-01-07')).toEqual(['date_interval']);
  });
  it('finds years after a date word, times, months and weekdays', () => {
    expect(typesOf('He moved here in 1998.', '1998')).toEqual(['year']);
    expect(typesOf('We sold 1998 units.', '1998')).toEqual([]);
    expect(typesOf('The call is at 3:30 pm', '3:30 pm')).toEqual(['time']);
    expect(typesOf('See you in September', 'September')).toEqual(['month']);
    expect(typesOf('See you on Tuesday', 'Tuesday')).toEqual(['day']);
    expect(typesOf('May I come in?', 'May')).toEqual([]);
  });
});

describe('age', () => {
  it('finds the number of an age phrase', () => {
    expect(typesOf('My son is 7 years old.', '7')).toEqual(['age']);
    expect(typesOf('Patient, aged 64, presented with pain', '64')).toEqual(['age']);
    expect(typesOf('She turned 30 last week', '30')).toEqual(['age']);
  });
  it('ignores numbers that are not ages', () => {
    expect(typesOf('We waited 7 years for this', '7')).toEqual([]);
    expect(typesOf('It is 300 years old', '300')).toEqual([]);
  });
});

describe('location_zip', () => {
  it('finds distinctive postal codes alone and any format after a postal-code word', () => {
    expect(typesOf('Postcode SW1A 1AA please', 'SW1A 1AA')).toEqual(['location_zip']);
    expect(typesOf('Mail to K1A 0B1 Ottawa', 'K1A 0B1')).toContain('location_zip');
    expect(typesOf('my zip code is 94103', '94103')).toEqual(['location_zip']);
    expect(typesOf('the postal code is 00-950', '00-950')).toEqual(['location_zip']);
  });
  it('leaves bare numbers alone', () => {
    expect(typesOf('I bought 94103 shares', '94103')).toEqual([]);
  });
});

describe('identity documents and credentials', () => {
  it('finds licence and passport numbers after their labels', () => {
    expect(typesOf("driver's license D1234567", 'D1234567')).toEqual(['driver_license']);
    expect(typesOf('passport number X12345678', 'X12345678')).toEqual(['passport_number']);
    expect(typesOf('code D1234567 applied', 'D1234567')).toEqual([]);
  });
  it('finds VINs with a valid check digit', () => {
    expect(typesOf('VIN 1M8GDM9AXKP042788 registered', '1M8GDM9AXKP042788')).toEqual(['vehicle_id']);
  });
  it('finds passwords and usernames after labels', () => {
    expect(typesOf('password: hunter2!', 'hunter2!')).toEqual(['password']);
    expect(typesOf('username is jdoe_77', 'jdoe_77')).toEqual(['username']);
  });
  it('finds coordinates, file names, diagnosis codes and health-insurance numbers', () => {
    expect(typesOf('Meet at 48.85837, 2.29448 tomorrow', '48.85837, 2.29448')).toEqual(['location_coordinate']);
    expect(typesOf('See the attached scan_2023.pdf', 'scan_2023.pdf')).toEqual(['filename']);
    expect(typesOf('ICD-10 diagnosis code E11.9 recorded', 'E11.9')).toEqual(['medical_code']);
    expect(typesOf('Model E11 launched', 'E11')).toEqual([]);
    expect(typesOf('Medicare number 1EG4-TE5-MK73', '1EG4-TE5-MK73')).toEqual(['healthcare_number']);
  });
  it('finds money, CVVs and expiry dates', () => {
    expect(typesOf('It cost $1,250.00 in total', '$1,250.00')).toEqual(['money']);
    expect(typesOf('CVV: 123', '123')).toEqual(['cvv']);
    expect(typesOf('expiry 09/27', '09/27')).toEqual(['credit_card_expiration']);
  });
});
