//! Display names for simulated participants.

/// Which names to hand out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NameStyle {
    /// A realistic mix of Swedish and international names.
    #[default]
    Realistic,
    /// Names that try to break a user interface: very long, HTML, right-to-left.
    Hostile,
}

const REALISTIC: &[&str] = &[
    "Anna Lindqvist",
    "Erik Johansson",
    "Åsa Öberg",
    "Mohammed Al-Hassan",
    "Karin Nilsson",
    "Björn Ängström",
    "Fatima Yusuf",
    "Lars-Göran Persson",
    "Maria García López",
    "Johan Ek",
    "Siiri Niemi",
    "Nguyễn Thị Lan",
    "Ingrid Bergström",
    "Ahmad Karimi",
    "Elsa Sjöberg",
    "Oskar Holm",
    "Aisha Abdi",
    "Per Dahl",
    "Zeynep Yılmaz",
    "Sven Åkesson",
    "Li Wei",
    "Emma Söderlund",
    "Juan Pérez",
    "Märta Lund",
];

const HOSTILE: &[&str] = &[
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "Robert'); DROP TABLE rooms;--",
    "\u{202e}evil\u{202c} rtl override",
    "مرحبا بالعالم",
    "שלום עולם",
    "&amp; &lt;b&gt; not bold",
    "Zalgo Z\u{0351}\u{0352}a\u{0353}\u{0354}l\u{0355}g\u{0356}o",
    "👩‍👩‍👧‍👦 family 🇸🇪",
    "\"quoted\" & 'single'",
];

/// The display name of participant `index` (0-based).
pub fn display_name(style: NameStyle, index: usize) -> String {
    match style {
        NameStyle::Realistic => {
            let base = REALISTIC[index % REALISTIC.len()];
            match index / REALISTIC.len() {
                0 => base.to_owned(),
                round => format!("{base} {}", round + 1),
            }
        }
        NameStyle::Hostile => match index % (HOSTILE.len() + 1) {
            0 => "Ü".repeat(300) + " very long name that keeps going",
            i => HOSTILE[i - 1].to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_within_a_meeting() {
        let names: std::collections::HashSet<String> = (0..100)
            .map(|i| display_name(NameStyle::Realistic, i))
            .collect();
        assert_eq!(names.len(), 100);
        let hostile: Vec<String> = (0..11)
            .map(|i| display_name(NameStyle::Hostile, i))
            .collect();
        assert!(hostile[0].chars().count() > 300);
        assert!(hostile.iter().any(|n| n.contains("<script>")));
        assert!(hostile.iter().any(|n| n.contains('\u{202e}')));
    }
}
