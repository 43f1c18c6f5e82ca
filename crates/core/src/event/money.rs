//! [`Money`]: an amount in integer minor units with its ISO 4217 currency.
//! Reports never add different currencies together.

use std::fmt;

/// An amount of money: integer minor units (cents) and a currency code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    /// Minor units (cents for USD, yen for JPY).
    pub minor: i64,
    /// ISO 4217 code, upper case.
    pub currency: String,
}

/// Currencies without minor units: their amounts are whole.
const ZERO_DECIMAL: [&str; 16] = [
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
];

impl Money {
    /// How many decimals a currency's minor unit has.
    pub fn decimals(currency: &str) -> u32 {
        if ZERO_DECIMAL.contains(&currency) {
            0
        } else {
            2
        }
    }

    /// Parses a decimal amount (`"1200.50"`) in `currency`.
    ///
    /// # Errors
    /// A message when the amount is negative, has more decimals than the
    /// currency allows, is too large, or the code is not three capitals.
    ///
    /// # Example
    /// ```
    /// use handshake_core::event::Money;
    /// assert_eq!(Money::parse("1200.5", "USD").unwrap().minor, 120_050);
    /// assert_eq!(Money::parse("1200", "JPY").unwrap().minor, 1_200);
    /// assert!(Money::parse("12.345", "USD").is_err());
    /// ```
    pub fn parse(amount: &str, currency: &str) -> Result<Money, String> {
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(format!(
                "currency \"{currency}\" is not an ISO 4217 code; expected three capitals such as USD or EUR"
            ));
        }
        let decimals = Money::decimals(currency);
        let (whole, frac) = amount.split_once('.').unwrap_or((amount, ""));
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if !digits(whole) || !(frac.is_empty() || digits(frac)) {
            return Err(format!(
                "amount \"{amount}\" is not a non-negative decimal number; expected e.g. 12500.00"
            ));
        }
        if frac.len() > decimals as usize {
            return Err(format!(
                "amount \"{amount}\" has {} decimals; {currency} has {decimals}",
                frac.len()
            ));
        }
        let scale = 10i64.pow(decimals);
        let frac_value: i64 = if frac.is_empty() {
            0
        } else {
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

    /// The amount as a decimal string, e.g. `1200.50`.
    pub fn amount_text(&self) -> String {
        let decimals = Money::decimals(&self.currency);
        if decimals == 0 {
            return self.minor.to_string();
        }
        let scale = 10i64.pow(decimals);
        format!(
            "{}.{:0width$}",
            self.minor / scale,
            self.minor % scale,
            width = decimals as usize
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_text(), self.currency)
    }
}
