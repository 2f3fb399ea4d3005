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
    "users.enable" => "Enable", "Réactiver";
    "users.enabled.done" => "User enabled: they can sign in again with their password.", "Utilisateur réactivé : il peut de nouveau se connecter avec son mot de passe.";
    "users.you" => "you", "vous";
    "users.mine" => "My account", "Mon compte";
    "users.refused" => "Nothing was changed:", "Rien n'a été modifié :";
    "users.temporary" => "Temporary password", "Mot de passe provisoire";
    "users.tokens" => "Live tokens", "Jetons actifs";
    "users.tokens.none" => "None", "Aucun";
    "users.tokens.hint" => "Each user makes their own tokens, on their account page.", "Chacun crée ses propres jetons, sur la page de son compte.";
    "users.token.revoke" => "Revoke", "Révoquer";
    "users.token.revoked" => "Token revoked: it no longer opens the API.", "Jeton révoqué : il n'ouvre plus l'API.";
    "users.reset" => "Reset password", "Réinitialiser le mot de passe";
    "users.reset.title" => "Temporary password", "Mot de passe provisoire";
    "users.reset.for" => "Temporary password for", "Mot de passe provisoire pour";
    "users.reset.once" => "Give it to them in person or by phone; it will not be shown again. They choose their own at their next sign-in. Their sessions have ended and their API tokens are revoked.", "Transmettez-le en personne ou par téléphone ; il ne sera plus affiché. L'utilisateur choisira le sien à sa prochaine connexion. Ses sessions ont pris fin et ses jetons d'API sont révoqués.";
    "users.token.unlabelled" => "No label", "Sans libellé";
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
    "audit.results" => "Records shown:", "Dossiers affichés :";
} }
