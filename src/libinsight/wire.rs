//! LibInsight's payloads as they arrive, read tolerantly but not interpreted.
//!
//! The structure is decoded here (which member holds what, an empty map sent as `[]`,
//! libraries as a list or as a map, duplicate keys kept rather than silently merged); the
//! leaves stay raw JSON values for `normalize` to judge. These types never reach the store or
//! the reports.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A JSON object read as its entries, in order and with duplicate keys kept. `[]` and `null`
/// read as empty, because PHP encodes an empty map as `[]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entries<V>(pub Vec<(String, V)>);

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = Entries<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object, or [] for an empty one")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    entries.push((key, value));
                }
                Ok(Entries(entries))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::custom("expected an object, found a non-empty list"));
                }
                Ok(Entries(Vec::new()))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Entries(Vec::new()))
            }
        }

        deserializer.deserialize_any(EntriesVisitor(PhantomData))
    }
}

/// A gate-count dataset's libraries (gate locations): a list of `{id, name}` or a map from id
/// to name. Ids and names stay raw values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Libraries(pub Vec<(Value, Value)>);

impl<'de> Deserialize<'de> for Libraries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Listed {
            id: Value,
            #[serde(default)]
            name: Value,
        }

        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            List(Vec<Listed>),
            Map(Entries<Value>),
        }

        Ok(match Shape::deserialize(deserializer)? {
            Shape::List(list) => Libraries(list.into_iter().map(|l| (l.id, l.name)).collect()),
            Shape::Map(map) => Libraries(map.0.into_iter().map(|(id, name)| (Value::String(id), name)).collect()),
        })
    }
}

/// `GET /gate-count/{id}/libraries`.
#[derive(Debug, Deserialize)]
pub struct LibrariesPayload {
    pub libraries: Libraries,
}

/// `GET /gate-count/{id}/overview` and `GET /reference/{id}/overview`: buckets keyed by period,
/// each mapping a library id (gate counts) or a mode (reference) to a count. Only the member
/// named by the requested aggregate is kept.
#[derive(Debug, Default, Deserialize)]
pub struct OverviewPayload {
    #[serde(default)]
    pub libraries: Libraries,
    pub hourly: Option<Entries<Entries<Value>>>,
    pub daily: Option<Entries<Entries<Value>>>,
    pub monthly: Option<Entries<Entries<Value>>>,
}

/// One page of `GET /custom-dataset/{id}/data-grid`.
#[derive(Debug, Deserialize)]
pub struct DataGridPage {
    #[serde(default, deserialize_with = "records_or_empty")]
    pub records: Vec<Map<String, Value>>,
    #[serde(default, deserialize_with = "loose_count")]
    pub displayed_page: Option<u64>,
    #[serde(default, deserialize_with = "loose_count")]
    pub total_pages: Option<u64>,
    #[serde(default, deserialize_with = "loose_count")]
    pub total_records: Option<u64>,
}

fn records_or_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Map<String, Value>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Shape {
        List(Vec<Map<String, Value>>),
        Empty(Entries<de::IgnoredAny>),
    }
    match Option::<Shape>::deserialize(deserializer)? {
        Some(Shape::List(records)) => Ok(records),
        Some(Shape::Empty(entries)) if entries.0.is_empty() => Ok(Vec::new()),
        Some(Shape::Empty(_)) => Err(de::Error::custom("`records` is an object, expected a list")),
        None => Ok(Vec::new()),
    }
}

/// Paging numbers arrive as JSON numbers or numeric strings.
fn loose_count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            n.as_u64().map(Some).ok_or_else(|| de::Error::custom(format!("expected a whole number, found {n}")))
        }
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => {
            s.trim().parse().map(Some).map_err(|_| de::Error::custom(format!("expected a whole number, found \"{s}\"")))
        }
        Some(other) => Err(de::Error::custom(format!("expected a whole number, found {other}"))),
    }
}

/// The token endpoint's answer.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub expires_in: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_duplicate_keys_in_order() {
        let entries: Entries<u32> = serde_json::from_str(r#"{"b": 1, "a": 2, "b": 3}"#).expect("valid");
        assert_eq!(entries.0, vec![("b".to_string(), 1), ("a".to_string(), 2), ("b".to_string(), 3)]);
    }

    #[test]
    fn entries_read_an_empty_list_as_an_empty_map() {
        let entries: Entries<u32> = serde_json::from_str("[]").expect("valid");
        assert!(entries.0.is_empty());
        assert!(serde_json::from_str::<Entries<u32>>("[1]").is_err());
    }

    #[test]
    fn libraries_as_a_list_or_as_a_map() {
        let listed: LibrariesPayload =
            serde_json::from_str(r#"{"libraries": [{"id": 3, "name": "Main"}, {"id": "4", "name": "Science"}]}"#)
                .expect("valid");
        let mapped: LibrariesPayload =
            serde_json::from_str(r#"{"libraries": {"3": "Main", "4": "Science"}}"#).expect("valid");
        assert_eq!(listed.libraries.0.len(), 2);
        assert_eq!(listed.libraries.0[0], (Value::from(3), Value::from("Main")));
        assert_eq!(mapped.libraries.0[1], (Value::from("4"), Value::from("Science")));
    }

    #[test]
    fn data_grid_paging_numbers_may_be_strings() {
        let page: DataGridPage = serde_json::from_str(
            r#"{"records": [{"_id": 1}], "displayed_page": "1", "total_pages": 3, "total_records": "241"}"#,
        )
        .expect("valid");
        assert_eq!((page.displayed_page, page.total_pages, page.total_records), (Some(1), Some(3), Some(241)));
        let empty: DataGridPage = serde_json::from_str(r#"{"records": [], "total_pages": 0}"#).expect("valid");
        assert!(empty.records.is_empty());
    }
}
