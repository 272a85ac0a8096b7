//! What the storefront says, in every shipped language: the confirmation email, the pages
//! behind its links, and the consent wording a shop has not written itself. A locale is
//! served by its language (`sv-FI` by Swedish), anything else by English.

/// One language's sentences. `{product}` stands for the product's name from the feed.
#[derive(Debug)]
pub struct Words {
    pub lang: &'static str,
    pub consent: &'static str,
    pub subject: &'static str,
    pub greeting: &'static str,
    /// The email's request, with `{product}`; `request_any` when the feed has no name.
    pub request: &'static str,
    pub request_any: &'static str,
    pub confirm_button: &'static str,
    pub ignore: &'static str,
    /// With `{hours}`.
    pub expires: &'static str,
    pub confirm_title: &'static str,
    pub confirm_question: &'static str,
    pub confirmed_title: &'static str,
    pub confirmed_text: &'static str,
    pub invalid_title: &'static str,
    pub invalid_text: &'static str,
    pub failed_text: &'static str,
}

const EN: Words = Words {
    lang: "en",
    consent: "Email me once when this product is back in stock. I can unsubscribe at any time.",
    subject: "Please confirm your back-in-stock alert",
    greeting: "Hello,",
    request: "You asked to be told by email when {product} is back in stock.",
    request_any: "You asked to be told by email when a product is back in stock.",
    confirm_button: "Confirm my alert",
    ignore: "If you did not ask for this, ignore this email: nothing will be sent to you.",
    expires: "The link works for {hours} hours.",
    confirm_title: "Confirm your alert",
    confirm_question: "Do you want an email when {product} is back in stock?",
    confirmed_title: "Your alert is confirmed",
    confirmed_text: "We will email you once when {product} is back in stock.",
    invalid_title: "This link does not work",
    invalid_text: "It has expired or was already used. Sign up again on the product page.",
    failed_text: "Something went wrong on our side. Nothing changed: please try again in a minute.",
};

const SV: Words = Words {
    lang: "sv",
    consent: "Mejla mig en gång när produkten finns i lager igen. Jag kan avregistrera mig när som helst.",
    subject: "Bekräfta din bevakning",
    greeting: "Hej!",
    request: "Du har bett om ett mejl när {product} finns i lager igen.",
    request_any: "Du har bett om ett mejl när en produkt finns i lager igen.",
    confirm_button: "Bekräfta min bevakning",
    ignore: "Om det inte var du kan du bortse från det här mejlet: vi skickar ingenting.",
    expires: "Länken fungerar i {hours} timmar.",
    confirm_title: "Bekräfta din bevakning",
    confirm_question: "Vill du få ett mejl när {product} finns i lager igen?",
    confirmed_title: "Din bevakning är bekräftad",
    confirmed_text: "Vi mejlar dig en gång när {product} finns i lager igen.",
    invalid_title: "Länken fungerar inte",
    invalid_text: "Den har gått ut eller redan använts. Anmäl dig igen på produktsidan.",
    failed_text: "Något gick fel hos oss. Ingenting har ändrats: försök igen om en minut.",
};

const FI: Words = Words {
    lang: "fi",
    consent: "Lähettäkää minulle sähköposti kerran, kun tuote on taas varastossa. Voin perua tilauksen milloin tahansa.",
    subject: "Vahvista saatavuusilmoituksesi",
    greeting: "Hei,",
    request: "Pyysit sähköpostia, kun {product} on taas varastossa.",
    request_any: "Pyysit sähköpostia, kun tuote on taas varastossa.",
    confirm_button: "Vahvista ilmoitus",
    ignore: "Jos et pyytänyt tätä, voit jättää viestin huomiotta: sinulle ei lähetetä mitään.",
    expires: "Linkki toimii {hours} tuntia.",
    confirm_title: "Vahvista ilmoituksesi",
    confirm_question: "Haluatko sähköpostin, kun {product} on taas varastossa?",
    confirmed_title: "Ilmoituksesi on vahvistettu",
    confirmed_text: "Lähetämme sinulle sähköpostin kerran, kun {product} on taas varastossa.",
    invalid_title: "Linkki ei toimi",
    invalid_text: "Se on vanhentunut tai jo käytetty. Tilaa ilmoitus uudelleen tuotesivulla.",
    failed_text: "Jokin meni vikaan meillä. Mitään ei muutettu: yritä uudelleen hetken kuluttua.",
};

const PL: Words = Words {
    lang: "pl",
    consent: "Wyślijcie mi jeden e-mail, gdy produkt znów będzie dostępny. Mogę zrezygnować w każdej chwili.",
    subject: "Potwierdź powiadomienie o dostępności",
    greeting: "Dzień dobry,",
    request: "Poprosiłeś o e-mail, gdy {product} znów będzie dostępny.",
    request_any: "Poprosiłeś o e-mail, gdy produkt znów będzie dostępny.",
    confirm_button: "Potwierdź powiadomienie",
    ignore: "Jeśli to nie Ty, zignoruj tę wiadomość: nic więcej nie wyślemy.",
    expires: "Link działa przez {hours} godz.",
    confirm_title: "Potwierdź powiadomienie",
    confirm_question: "Czy chcesz dostać e-mail, gdy {product} znów będzie dostępny?",
    confirmed_title: "Powiadomienie potwierdzone",
    confirmed_text: "Wyślemy Ci jeden e-mail, gdy {product} znów będzie dostępny.",
    invalid_title: "Ten link nie działa",
    invalid_text: "Wygasł lub został już użyty. Zapisz się ponownie na stronie produktu.",
    failed_text: "Coś poszło nie tak po naszej stronie. Nic się nie zmieniło: spróbuj ponownie za minutę.",
};

/// The words of `locale`'s language, English for a language not shipped.
pub fn words(locale: &str) -> &'static Words {
    let language = locale.split(['-', '_']).next().unwrap_or_default();
    [&SV, &FI, &PL]
        .into_iter()
        .find(|w| w.lang.eq_ignore_ascii_case(language))
        .unwrap_or(&EN)
}

/// `template` with `{product}` replaced.
pub fn with_product(template: &str, product: &str) -> String {
    template.replace("{product}", product)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locale_is_served_by_its_language_and_english_otherwise() {
        assert_eq!(words("sv-SE").lang, "sv");
        assert_eq!(words("sv-FI").lang, "sv");
        assert_eq!(words("fi-FI").lang, "fi");
        assert_eq!(words("pl").lang, "pl");
        assert_eq!(words("de-DE").lang, "en");
        assert_eq!(words("").lang, "en");
    }
}
