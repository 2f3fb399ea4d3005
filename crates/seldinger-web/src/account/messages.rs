//! This area's messages, each in both languages (see [`crate::i18n`]).

use crate::i18n::messages;

messages! { MESSAGES {
    "account.title" => "My account", "Mon compte";
    "account.full_name" => "Full name", "Nom complet";
    "account.username" => "Username", "Identifiant";
    "account.role" => "Role", "Rôle";
    "account.language" => "Language", "Langue";
    "account.link.title" => "My account: password, API tokens", "Mon compte : mot de passe, jetons d'API";
    "account.password" => "Password", "Mot de passe";
    "account.password.text" => "Changing it signs you out everywhere else and revokes your API tokens.", "Le changer vous déconnecte partout ailleurs et révoque vos jetons d'API.";
    "account.password.change" => "Change my password", "Changer mon mot de passe";
    "account.password.title" => "Change my password", "Changer mon mot de passe";
    "account.password.forced" => "Your password is a temporary one set by an administrator. Choose your own to continue.", "Votre mot de passe est provisoire, défini par un administrateur. Choisissez le vôtre pour continuer.";
    "account.password.current" => "Current password", "Mot de passe actuel";
    "account.password.new" => "New password", "Nouveau mot de passe";
    "account.password.hint" => "At least 10 characters.", "10 caractères au moins.";
    "account.password.again" => "New password, again", "Nouveau mot de passe, à nouveau";
    "account.password.effects" => "Your other sessions end and your API tokens are revoked; this browser stays signed in.", "Vos autres sessions prennent fin et vos jetons d'API sont révoqués ; ce navigateur reste connecté.";
    "account.password.submit" => "Change the password", "Changer le mot de passe";
    "account.password.changed" => "Password changed. Your other sessions have ended and your API tokens are revoked: create new ones if you need them.", "Mot de passe changé. Vos autres sessions ont pris fin et vos jetons d'API sont révoqués : créez-en de nouveaux si besoin.";
    "account.tokens" => "API tokens", "Jetons d'API";
    "account.tokens.text" => "A token lets a script use the API as you, with your role. Make one per script, and revoke it when the script is retired.", "Un jeton permet à un script d'utiliser l'API en votre nom, avec votre rôle. Créez-en un par script et révoquez-le quand le script n'est plus utilisé.";
    "account.tokens.none" => "You have no API token.", "Vous n'avez aucun jeton d'API.";
    "account.tokens.revoked" => "Revoked tokens", "Jetons révoqués";
    "account.token.label" => "Label", "Libellé";
    "account.token.label.hint" => "What the token is for, e.g. \"nightly export\".", "À quoi sert le jeton, p. ex. « export nocturne ».";
    "account.token.unlabelled" => "No label", "Sans libellé";
    "account.token.new" => "A new token", "Un nouveau jeton";
    "account.token.create" => "Create the token", "Créer le jeton";
    "account.token.created" => "Token created", "Jeton créé";
    "account.token.once" => "Copy it now (select it, then Ctrl+C): it will not be shown again.", "Copiez-le maintenant (sélectionnez-le, puis Ctrl+C) : il ne sera plus affiché.";
    "account.token.usage" => "Send it with each API request:", "Envoyez-le avec chaque requête à l'API :";
    "account.token.placeholder" => "<token>", "<jeton>";
    "account.token.revoke" => "Revoke", "Révoquer";
    "account.token.revoked" => "Token revoked: it no longer opens the API.", "Jeton révoqué : il n'ouvre plus l'API.";
    "account.token.revoked_at" => "revoked", "révoqué le";
} }
