//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "users.title" => "Users", "Utilisateurs";
    "users.add" => "Add a user", "Ajouter un utilisateur";
    "users.username" => "Username", "Identifiant";
    "users.full_name" => "Full name", "Nom complet";
    "users.role" => "Role", "Rôle";
    "users.language" => "Language", "Langue";
    "users.password" => "Initial password", "Mot de passe initial";
    "users.password.hint" => "At least 10 characters.", "10 caractères au moins.";
    "users.status" => "Status", "Statut";
    "users.active" => "Active", "Actif";
    "users.disabled" => "Disabled", "Désactivé";
    "users.disable" => "Disable", "Désactiver";
    "users.token" => "New API token", "Nouveau jeton d'API";
    "users.token.title" => "API token created", "Jeton d'API créé";
    "users.token.once" => "Copy this token now: it will not be shown again.", "Copiez ce jeton maintenant : il ne sera plus affiché.";
    "users.back" => "Back to users", "Retour aux utilisateurs";
    "users.created" => "User created.", "Utilisateur créé.";
    "users.disabled.done" => "User disabled; their sessions and tokens no longer work.", "Utilisateur désactivé ; ses sessions et jetons ne fonctionnent plus.";
    "audit.title" => "Audit log", "Journal d'audit";
    "audit.at" => "When", "Quand";
    "audit.who" => "Who", "Qui";
    "audit.role" => "Role", "Rôle";
    "audit.action" => "Action", "Action";
    "audit.object" => "Object", "Objet";
    "audit.client" => "From", "Depuis";
    "audit.detail" => "Detail", "Détail";
    "audit.object.hint" => "type/id, e.g. patient/0192…", "type/id, ex. patient/0192…";
    "audit.since" => "From", "Du";
    "audit.until" => "Until", "Au";
    "audit.none" => "No entry matches.", "Aucune entrée ne correspond.";
    "audit.results" => "Patients:", "Patients :";
    "audit.patient" => "Patient (id)", "Patient (identifiant)";
    "audit.patient.hint" => "who saw or changed this patient", "qui a vu ou modifié ce patient";
    "audit.patients" => "Patients", "Patients";
    "audit.via" => "Through", "Par";
    "audit.patient.log" => "This patient's log", "Journal de ce patient";
    "emergency.list.title" => "Emergency accesses", "Accès d'urgence";
    "emergency.list.none" => "No emergency access over this period.", "Aucun accès d'urgence sur cette période.";
    "emergency.list.since" => "Since", "Depuis le";
    "emergency.list.who" => "Who", "Qui";
    "emergency.list.patient" => "Patient", "Patient";
    "emergency.list.until" => "Open until", "Ouvert jusqu'au";
} }
