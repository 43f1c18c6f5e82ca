//! [`Money`]: an amount in integer minor units with its ISO 4217 currency.
//! The one money type: event amounts and agreement targets alike, each
//! currency with its own decimals from the ISO 4217 table (the
//! `iso_currency` crate, not a hand list): 0 for JPY, 2 for EUR and USD, 3
//! for BHD and KWD. Reports never add different currencies together.

use std::fmt;

use iso_currency::Currency;

/// An amount of money: integer minor units and a currency code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    /// Minor units (cents for USD, yen for JPY, fils for BHD).
    pub minor: i64,
    /// ISO 4217 code, upper case.
    pub currency: String,
}

impl Money {
    /// How many decimals a currency's minor unit has, from ISO 4217.
    /// Codes without a minor unit (gold, SDR) count in whole units; a code
    /// the table lacks (refused by [`Money::parse`], so only from old data)
    /// counts in hundredths.
    ///
    /// # Example
    /// ```
    /// use handshake_core::event::Money;
    /// assert_eq!(Money::decimals("JPY"), 0);
    /// assert_eq!(Money::decimals("EUR"), 2);
    /// assert_eq!(Money::decimals("BHD"), 3);
    /// ```
    pub fn decimals(currency: &str) -> u32 {
        Currency::from_code(currency).map_or(2, |c| u32::from(c.exponent().unwrap_or(0)))
    }

    /// Checks a currency code against ISO 4217.
    ///
    /// # Errors
    /// A message saying what was expected when the code is not in the table.
    pub fn check_currency(currency: &str) -> Result<(), String> {
        match Currency::from_code(currency) {
            Some(_) => Ok(()),
            None => Err(format!(
                "currency \"{currency}\" is not an ISO 4217 code; expected three capitals such as USD, EUR or JPY"
            )),
        }
    }

    /// Parses a decimal amount (`"1200.50"`) in `currency`.
    ///
    /// # Errors
    /// A message when the amount is negative, has more decimals than the
    /// currency allows, is too large, or the code is not an ISO 4217 code.
    ///
    /// # Example
    /// ```
    /// use handshake_core::event::Money;
    /// assert_eq!(Money::parse("1200.5", "USD").unwrap().minor, 120_050);
    /// assert_eq!(Money::parse("5000", "JPY").unwrap().minor, 5_000);
    /// assert_eq!(Money::parse("1.5", "BHD").unwrap().minor, 1_500);
    /// assert!(Money::parse("12.345", "USD").is_err());
    /// assert!(Money::parse("12", "ABC").is_err());
    /// ```
    pub fn parse(amount: &str, currency: &str) -> Result<Money, String> {
        Money::check_currency(currency)?;
        let decimals = Money::decimals(currency);
        let (whole, frac) = amount.split_once('.').unwrap_or((amount, ""));
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if !digits(whole) || !(frac.is_empty() || digits(frac)) {
            return Err(format!(
                "amount \"{amount}\" is not a non-negative decimal number; expected e.g. 12500.00"
            ));
        }
        // Trailing zeros past the currency's decimals change nothing ("5000.00 JPY").
        let frac = frac.trim_end_matches('0');
        if frac.len() > decimals as usize {
            let plural = |n: usize| if n == 1 { "" } else { "s" };
            return Err(format!(
                "amount \"{amount}\" has {} decimal{}; {currency} has {decimals}",
                frac.len(),
                plural(frac.len())
            ));
        }
        let scale = 10i64.pow(decimals);
        let frac_value: i64 = if frac.is_empty() {
            0
        } else {
            // At most `decimals` (≤ 4) digits, all ASCII digits (checked above).
            format!("{frac:0<width$}", width = decimals as usize)
                .parse()
                .unwrap_or(0)
        };
        whole
            .parse::<i64>()
            .ok()
            .and_then(|w| w.checked_mul(scale))
            .and_then(|w| w.checked_add(frac_value))
            .map(|minor| Money {
                minor,
                currency: currency.to_string(),
            })
            .ok_or_else(|| format!("amount \"{amount}\" is too large"))
    }

    /// The amount in major units (dollars, yen, dinars) as a float, for
    /// comparing with a target and for the planner's arithmetic.
    pub fn major(&self) -> f64 {
        self.minor as f64 / 10f64.powi(Money::decimals(&self.currency) as i32)
    }

    /// The amount as a decimal string with the currency's decimals, e.g.
    /// `1200.50` (USD), `5000` (JPY), `1.500` (BHD).
    pub fn amount_text(&self) -> String {
        let decimals = Money::decimals(&self.currency);
        if decimals == 0 {
            return self.minor.to_string();
        }
        let scale = 10i64.pow(decimals);
        format!(
            "{}{}.{:0width$}",
            if self.minor < 0 { "-" } else { "" },
            (self.minor / scale).unsigned_abs(),
            (self.minor % scale).unsigned_abs(),
            width = decimals as usize
        )
    }

    /// The amount for people: thousands grouped, minor digits only when not
    /// zero, and the code, e.g. `250,000 USD`, `1,200.50 EUR`, `5,000 JPY`.
    pub fn grouped(&self) -> String {
        let decimals = Money::decimals(&self.currency);
        let scale = 10i64.pow(decimals);
        let whole = group_thousands(self.minor / scale);
        let frac = (self.minor % scale).unsigned_abs();
        if frac == 0 {
            format!("{whole} {}", self.currency)
        } else {
            format!(
                "{whole}.{frac:0width$} {}",
                self.currency,
                width = decimals as usize
            )
        }
    }
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_text(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each currency's decimals as ISO 4217 gives them, written out by hand.
    #[test]
    fn amounts_in_each_currencys_minor_units() {
        let cases = [
            ("5000", "JPY", 5_000, "5000", "5,000 JPY", 5_000.0),
            (
                "12500.5",
                "EUR",
                1_250_050,
                "12500.50",
                "12,500.50 EUR",
                12_500.5,
            ),
            (
                "250000",
                "USD",
                25_000_000,
                "250000.00",
                "250,000 USD",
                250_000.0,
            ),
            ("1.5", "BHD", 1_500, "1.500", "1.500 BHD", 1.5),
            ("2.125", "KWD", 2_125, "2.125", "2.125 KWD", 2.125),
        ];
        for (amount, currency, minor, text, grouped, major) in cases {
            let m = Money::parse(amount, currency).unwrap();
            assert_eq!(m.minor, minor, "{amount} {currency}");
            assert_eq!(m.amount_text(), text);
            assert_eq!(m.grouped(), grouped);
            assert_eq!(m.major(), major);
        }
    }

    #[test]
    fn refuses_what_the_currency_cannot_hold() {
        assert!(
            Money::parse("1.5", "JPY")
                .unwrap_err()
                .contains("JPY has 0")
        );
        assert!(
            Money::parse("1.005", "EUR")
                .unwrap_err()
                .contains("EUR has 2")
        );
        assert!(
            Money::parse("1.0005", "BHD")
                .unwrap_err()
                .contains("BHD has 3")
        );
        assert!(Money::parse("10", "XYZ").unwrap_err().contains("ISO 4217"));
        assert!(Money::parse("10", "usd").is_err());
        assert_eq!(Money::parse("5000.00", "JPY").unwrap().minor, 5_000);
        assert!(Money::parse("-1", "USD").is_err());
    }
}
