import { describe, expect, it } from 'vitest';
import { fullYear, realDate, realTime } from '../src/validators/calendar.js';
import { ibanValid } from '../src/validators/iban.js';
import { ipv4Valid, ipv6Valid } from '../src/validators/ip.js';
import { luhnValid } from '../src/validators/luhn.js';
import { paymentCardValid } from '../src/validators/payment-card.js';
import { countryCodeOf, nanpValid, phonePlausibility } from '../src/validators/phone.js';
import { abaRoutingValid } from '../src/validators/routing.js';
import { ssnValid } from '../src/validators/ssn.js';
import { vinConfidence } from '../src/validators/vin.js';

describe('luhn', () => {
  it('accepts test card numbers and rejects a changed digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('12a4')).toBe(false);
  });
});

describe('payment cards', () => {
  it('needs a network prefix and length as well as the Luhn check', () => {
    expect(paymentCardValid('4111111111111111')).toBe(true); // Visa 16
    expect(paymentCardValid('378282246310005')).toBe(true); // Amex 15
    expect(paymentCardValid('5555555555554444')).toBe(true); // Mastercard
    expect(paymentCardValid('6011111111111117')).toBe(true); // Discover
    // Luhn-valid but no network issues 16-digit numbers starting with 9.
    expect(paymentCardValid('9111111111111110')).toBe(false);
    // Amex prefix with a Visa length.
    expect(paymentCardValid('3782822463100050')).toBe(false);
  });
});

describe('ssn', () => {
  it('applies the SSA allocation rules', () => {
    expect(ssnValid('536221234')).toBe(true);
    expect(ssnValid('000221234')).toBe(false); // area 000
    expect(ssnValid('666221234')).toBe(false); // area 666
    expect(ssnValid('912221234')).toBe(false); // area 9xx
    expect(ssnValid('536001234')).toBe(false); // group 00
    expect(ssnValid('536220000')).toBe(false); // serial 0000
    expect(ssnValid('078051120')).toBe(false); // the Woolworth wallet number
    expect(ssnValid('987654321')).toBe(false); // advertising range
  });
});

describe('iban', () => {
  it('checks length per country and the MOD-97 check digits', () => {
    expect(ibanValid('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('gb82west12345698765432')).toBe(true);
    expect(ibanValid('GB82WEST12345698765433')).toBe(false); // check digits
    expect(ibanValid('DE89370400440532013')).toBe(false); // too short for DE
    expect(ibanValid('XX89370400440532013000')).toBe(false); // no such country
  });
});

describe('calendar', () => {
  it('knows month lengths and leap years', () => {
    expect(realDate(2024, 2, 29)).toBe(true);
    expect(realDate(2023, 2, 29)).toBe(false);
    expect(realDate(1900, 2, 29)).toBe(false);
    expect(realDate(2000, 2, 29)).toBe(true);
    expect(realDate(2021, 4, 31)).toBe(false);
    expect(realDate(2021, 13, 1)).toBe(false);
    expect(fullYear(85, 2)).toBe(1985);
    expect(fullYear(7, 2)).toBe(2007);
    expect(realTime(23, 59)).toBe(true);
    expect(realTime(13, 0, 0, true)).toBe(false);
  });
});

describe('ip', () => {
  it('validates IPv4 octets and IPv6 groups', () => {
    expect(ipv4Valid('192.168.0.1')).toBe(true);
    expect(ipv4Valid('256.1.1.1')).toBe(false);
    expect(ipv4Valid('01.2.3.4')).toBe(false);
    expect(ipv6Valid('2001:db8::1')).toBe(true);
    expect(ipv6Valid('fe80:0:0:0:200:f8ff:fe21:67cf')).toBe(true);
    expect(ipv6Valid('::ffff:192.0.2.128')).toBe(true);
    expect(ipv6Valid('2001:db8::1::2')).toBe(false);
    expect(ipv6Valid('12345::1')).toBe(false);
  });
});

describe('phone numbering plans', () => {
  it('knows country codes and NANP rules', () => {
    expect(countryCodeOf('4930123456')).toBe('49');
    expect(countryCodeOf('3531234567')).toBe('353');
    expect(nanpValid('2125550123')).toBe(true);
    expect(nanpValid('1125550123')).toBe(false); // area code cannot start with 1
    expect(nanpValid('2121550123')).toBe(false); // exchange cannot start with 1
    expect(nanpValid('4115550123')).toBe(false); // N11 service code
    expect(phonePlausibility('4930123456', true)).toBe(1);
    expect(phonePlausibility('8881234567', true)).toBe(0); // +888 is no country code
    expect(phonePlausibility('1111111111', false)).toBe(0);
  });
});

describe('routing and vehicle numbers', () => {
  it('checks the ABA checksum and VIN check digit', () => {
    expect(abaRoutingValid('011000015')).toBe(true);
    expect(abaRoutingValid('011000016')).toBe(false);
    expect(abaRoutingValid('991000015')).toBe(false); // no Federal Reserve prefix 99
    expect(vinConfidence('1M8GDM9AXKP042788')).toBe(1);
    expect(vinConfidence('1M8GDM9A1KP042788')).toBe(0.5); // check digit wrong: maybe a non-US VIN
    expect(vinConfidence('1M8GDM9AXKP04278O')).toBe(0); // the letter O is never used
  });
});
