//! Messages of the catalog, the checklist thresholds and the resources (rooms,
//! equipment, bed units, staff availability).

// `messages!` is in scope from the parent module (declared before this one).

messages! { MESSAGES {
    "nav.catalog" => "Catalog", "Catalogue";
    "nav.resources" => "Resources", "Ressources";
} }
