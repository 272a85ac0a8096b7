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
    /// `confirmed_text` when the feed has no name for the product.
    pub confirmed_any: &'static str,
    pub invalid_title: &'static str,
    pub invalid_text: &'static str,
    pub failed_text: &'static str,
    pub alerts_link: &'static str,
    pub alerts_title: &'static str,
    pub alerts_empty: &'static str,
    pub waiting: &'static str,
    /// A sign-up not confirmed yet.
    pub unconfirmed: &'static str,
    pub cancel: &'static str,
    pub cancel_all: &'static str,
    pub cancelled: &'static str,
    pub notify_me: &'static str,
    pub email_label: &'static str,
    pub submit: &'static str,
    pub check_inbox: &'static str,
    pub subscribed_now: &'static str,
    pub bad_email: &'static str,
    pub consent_required: &'static str,
    pub too_many: &'static str,
    pub something_wrong: &'static str,
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
    alerts_link: "See and cancel my alerts",
    alerts_title: "My back-in-stock alerts",
    alerts_empty: "You have no alerts.",
    waiting: "Waiting",
    unconfirmed: "Not confirmed yet",
    cancel: "Cancel",
    cancel_all: "Cancel all and never email me",
    cancelled: "Done: the alert is cancelled.",
    notify_me: "Notify me when it is back",
    email_label: "Your email address",
    submit: "Notify me",
    check_inbox: "Check your inbox to confirm.",
    subscribed_now: "Done! We will email you when it is back.",
    bad_email: "Please check your email address.",
    consent_required: "Please tick the box to agree.",
    too_many: "Too many attempts. Please try again later.",
    something_wrong: "Something went wrong. Please try again.",
    confirmed_any: "We will email you once when the product is back in stock.",
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
    alerts_link: "Se och avbryt mina bevakningar",
    alerts_title: "Mina bevakningar",
    alerts_empty: "Du har inga bevakningar.",
    waiting: "Väntar",
    unconfirmed: "Inte bekräftad än",
    cancel: "Avbryt",
    cancel_all: "Avbryt alla och mejla mig aldrig",
    cancelled: "Klart: bevakningen är avbruten.",
    notify_me: "Meddela mig när den finns i lager igen",
    email_label: "Din e-postadress",
    submit: "Meddela mig",
    check_inbox: "Kolla din inkorg för att bekräfta.",
    subscribed_now: "Klart! Vi mejlar dig när den finns i lager igen.",
    bad_email: "Kontrollera din e-postadress.",
    consent_required: "Kryssa i rutan för att godkänna.",
    too_many: "För många försök. Försök igen senare.",
    something_wrong: "Något gick fel. Försök igen.",
    confirmed_any: "Vi mejlar dig en gång när produkten finns i lager igen.",
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
    alerts_link: "Näytä ja peru ilmoitukseni",
    alerts_title: "Saatavuusilmoitukseni",
    alerts_empty: "Sinulla ei ole ilmoituksia.",
    waiting: "Odottaa",
    unconfirmed: "Ei vielä vahvistettu",
    cancel: "Peru",
    cancel_all: "Peru kaikki, älkää lähettäkö minulle sähköpostia",
    cancelled: "Valmis: ilmoitus on peruttu.",
    notify_me: "Ilmoita minulle, kun tuote on taas saatavilla",
    email_label: "Sähköpostiosoitteesi",
    submit: "Ilmoita minulle",
    check_inbox: "Vahvista tilaus sähköpostistasi.",
    subscribed_now: "Valmista! Lähetämme sinulle sähköpostia, kun tuote on taas saatavilla.",
    bad_email: "Tarkista sähköpostiosoitteesi.",
    consent_required: "Hyväksy rastittamalla ruutu.",
    too_many: "Liian monta yritystä. Yritä myöhemmin uudelleen.",
    something_wrong: "Jokin meni vikaan. Yritä uudelleen.",
    confirmed_any: "Lähetämme sinulle sähköpostin kerran, kun tuote on taas varastossa.",
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
    alerts_link: "Zobacz i anuluj moje powiadomienia",
    alerts_title: "Moje powiadomienia o dostępności",
    alerts_empty: "Nie masz żadnych powiadomień.",
    waiting: "Oczekuje",
    unconfirmed: "Jeszcze niepotwierdzone",
    cancel: "Anuluj",
    cancel_all: "Anuluj wszystkie i nie wysyłajcie mi e-maili",
    cancelled: "Gotowe: powiadomienie zostało anulowane.",
    notify_me: "Powiadom mnie, gdy produkt będzie dostępny",
    email_label: "Twój adres e-mail",
    submit: "Powiadom mnie",
    check_inbox: "Sprawdź skrzynkę, aby potwierdzić.",
    subscribed_now: "Gotowe! Wyślemy Ci e-mail, gdy produkt będzie dostępny.",
    bad_email: "Sprawdź swój adres e-mail.",
    consent_required: "Zaznacz pole, aby wyrazić zgodę.",
    too_many: "Zbyt wiele prób. Spróbuj ponownie później.",
    something_wrong: "Coś poszło nie tak. Spróbuj ponownie.",
    confirmed_any: "Wyślemy Ci jeden e-mail, gdy produkt znów będzie dostępny.",
};

/// The words of `locale`'s language, English for a language not shipped.
pub fn words(locale: &str) -> &'static Words {
    let language = locale.split(['-', '_']).next().unwrap_or_default();
    [&SV, &FI, &PL]
        .into_iter()
        .find(|w| w.lang.eq_ignore_ascii_case(language))
        .unwrap_or(&EN)
}

/// The words of the browser's first language (`Accept-Language`), for a page whose
/// shopper is not known (a link that does not work).
pub fn words_for_browser(headers: &axum::http::HeaderMap) -> &'static Words {
    let first = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|tag| tag.split(';').next().unwrap_or_default().trim())
        .unwrap_or_default();
    words(first)
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
