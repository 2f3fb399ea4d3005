//! One's own account: its page, API tokens.

messages! { MESSAGES {
    "account.title" => "My account", "Mon compte";
    "account.link.title" => "My account: API tokens", "Mon compte : jetons d'API";
    "account.tokens" => "API tokens", "Jetons d'API";
    "account.tokens.text" => "A token lets a script use the API as you, with your role. Make one per script, and revoke it when the script is retired.", "Un jeton permet à un script d'utiliser l'API en votre nom, avec votre rôle. Créez-en un par script et révoquez-le quand le script n'est plus utilisé.";
    "account.tokens.none" => "You have no API token.", "Vous n'avez aucun jeton d'API.";
    "account.tokens.revoked" => "Revoked tokens", "Jetons révoqués";
    "account.token.label" => "Label", "Libellé";
    "account.token.label.hint" => "What the token is for, e.g. \"nightly export\".", "À quoi sert le jeton, p. ex. « export nocturne ».";
    "account.token.unlabelled" => "No label", "Sans libellé";
    "account.token.create" => "Create a token", "Créer un jeton";
    "account.token.created" => "Token created", "Jeton créé";
    "account.token.once" => "Copy it now (select it, then Ctrl+C): it will not be shown again.", "Copiez-le maintenant (sélectionnez-le, puis Ctrl+C) : il ne sera plus affiché.";
    "account.token.usage" => "Send it with each API request:", "Envoyez-le avec chaque requête à l'API :";
    "account.token.placeholder" => "<token>", "<jeton>";
    "account.token.revoke" => "Revoke", "Révoquer";
    "account.token.revoked" => "Token revoked: it no longer opens the API.", "Jeton révoqué : il n'ouvre plus l'API.";
    "account.token.revoked_at" => "revoked", "révoqué le";
} }
